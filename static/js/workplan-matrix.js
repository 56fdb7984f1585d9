/* Objective matrix, for staff: toggle a cell without reloading the page.
   Progressive enhancement only: each cell is a small POST form that works without this
   script (the server toggles the mark and redirects back to the row). Here the form is sent
   with fetch (its CSRF token travels in the form data and the X-CSRFToken header); the
   server answers JSON, and the cell, its row total, its column total and the count of marks
   are updated in place. If the answer is not the expected JSON (a network failure, a session
   that expired), the form is submitted the ordinary way instead. */
(function () {
  "use strict";

  var table = document.querySelector("table[data-matrix]");
  if (!table || !window.fetch || !window.FormData || !window.Promise) {
    return;
  }
  var statusBox = document.getElementById("matrix-status");

  function announce(text, isError) {
    if (!statusBox) {
      return;
    }
    statusBox.textContent = text;
    statusBox.classList.toggle("matrix-status--error", Boolean(isError));
  }

  function setText(selector, value) {
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i += 1) {
      nodes[i].textContent = String(value);
    }
  }

  function update(form, data) {
    var button = form.querySelector("button");
    var cell = form.closest("td");
    var mark = button.querySelector(".matrix__mark");
    var label = button.querySelector(".matrix__label");
    cell.classList.toggle("matrix__cell--on", data.marked);
    mark.classList.toggle("matrix__mark--off", !data.marked);
    mark.textContent = data.marked ? "\u2713" : "\u2013";
    label.textContent = button.getAttribute(data.marked ? "data-label-on" : "data-label-off");
    setText('[data-row-total="' + data.activity + '"]', data.row_total);
    setText('[data-column-total="' + data.objective + '"]', data.column_total);
    setText("[data-mark-count]", data.mark_count);
    announce(data.message, false);
  }

  table.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-matrix-toggle]")) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return; // one request per cell at a time
    }
    var button = form.querySelector("button");
    form.setAttribute("aria-busy", "true");
    button.setAttribute("aria-busy", "true");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");

    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : "",
      },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("not JSON");
        }
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        form.removeAttribute("aria-busy");
        button.removeAttribute("aria-busy");
        if (result.ok) {
          update(form, result.data);
        } else {
          announce(result.data.error || "The change was not saved.", true);
        }
      })
      .catch(function () {
        // Fall back to the plain form: the page reloads with the server's message.
        form.removeAttribute("aria-busy");
        button.removeAttribute("aria-busy");
        HTMLFormElement.prototype.submit.call(form);
      });
  });
})();
