/* How-to guide: keep checklist ticks in this browser (localStorage) and show progress.
   Progressive enhancement only: without this script the checklists still read as lists.
   A tick is stored under "leadit-guide:<step slug>:<item index>"; nothing leaves the browser. */
(function () {
  "use strict";

  var PREFIX = "leadit-guide:";
  var storage = null;
  try {
    storage = window.localStorage;
    storage.setItem(PREFIX + "probe", "1");
    storage.removeItem(PREFIX + "probe");
  } catch (error) {
    storage = null; // private mode or storage switched off: ticks last for this visit only
  }

  var boxes = Array.prototype.slice.call(
    document.querySelectorAll("input[type=checkbox][data-guide-item]")
  );
  var steps = Array.prototype.slice.call(document.querySelectorAll("[data-guide-step]"));

  function stepOf(item) {
    return item.slice(0, item.lastIndexOf(":"));
  }

  function isTicked(step, index) {
    var box = document.querySelector('input[data-guide-item="' + step + ":" + index + '"]');
    if (box) {
      return box.checked;
    }
    return storage !== null && storage.getItem(PREFIX + step + ":" + index) === "1";
  }

  function counts(step, total) {
    var ticked = 0;
    for (var i = 0; i < total; i += 1) {
      if (isTicked(step, i)) {
        ticked += 1;
      }
    }
    return ticked;
  }

  function itemsOf(step) {
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i].getAttribute("data-guide-step") === step) {
        return parseInt(steps[i].getAttribute("data-guide-items"), 10) || 0;
      }
    }
    return boxes.filter(function (box) {
      return stepOf(box.getAttribute("data-guide-item")) === step;
    }).length;
  }

  function sentence(ticked, total) {
    return ticked + " of " + total + " item" + (total === 1 ? "" : "s") + " ticked";
  }

  var saved = storage
    ? " Saved in this browser only; nothing is sent to us."
    : " This browser does not let the page save them, so they last for this visit only.";

  function update() {
    var allTicked = 0;
    var allItems = 0;
    steps.forEach(function (entry) {
      var step = entry.getAttribute("data-guide-step");
      var total = itemsOf(step);
      var ticked = counts(step, total);
      allTicked += ticked;
      allItems += total;
      var badge = entry.querySelector(".guide-nav__progress");
      if (total > 0) {
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "guide-nav__progress";
          entry.querySelector("a").appendChild(badge);
        }
        badge.textContent = " (" + ticked + "/" + total + (ticked === total ? ", done" : "") + ")";
        entry.classList.toggle("is-done", ticked === total);
      }
    });
    document.querySelectorAll("[data-guide-progress]").forEach(function (line) {
      var step = line.getAttribute("data-guide-progress");
      if (step === "all") {
        line.textContent = "In the whole guide: " + sentence(allTicked, allItems) + "." + saved;
      } else {
        var total = itemsOf(step);
        line.textContent = sentence(counts(step, total), total) + " in this step.";
      }
    });
  }

  boxes.forEach(function (box) {
    var key = PREFIX + box.getAttribute("data-guide-item");
    if (storage && storage.getItem(key) === "1") {
      box.checked = true;
    }
    box.addEventListener("change", function () {
      if (storage) {
        if (box.checked) {
          storage.setItem(key, "1");
        } else {
          storage.removeItem(key);
        }
      }
      update();
    });
  });

  // Another tab ticked something: show it here too.
  window.addEventListener("storage", function (event) {
    if (!event.key || event.key.indexOf(PREFIX) !== 0) {
      return;
    }
    boxes.forEach(function (box) {
      box.checked = storage.getItem(PREFIX + box.getAttribute("data-guide-item")) === "1";
    });
    update();
  });

  document.querySelectorAll("[data-guide-tools]").forEach(function (tools) {
    if (storage) {
      tools.hidden = false;
    }
  });
  document.querySelectorAll("[data-guide-reset]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!window.confirm("Clear every tick you made in this guide, in this browser?")) {
        return;
      }
      for (var i = storage.length - 1; i >= 0; i -= 1) {
        var key = storage.key(i);
        if (key && key.indexOf(PREFIX) === 0) {
          storage.removeItem(key);
        }
      }
      boxes.forEach(function (box) {
        box.checked = false;
      });
      update();
    });
  });
  document.querySelectorAll("[data-guide-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  update();
})();
