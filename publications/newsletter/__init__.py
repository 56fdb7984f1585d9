"""The quarterly newsletter: an issue's sections assembled from the quarter's real data, the
helpers staff use to reorder, trim and annotate them, creating an issue and publishing it.

**Sections are contributions.** Each app registers, in its ``AppConfig.ready()``, the
sections it knows the news of (``leadit.newsletter_sections``: key, title, order and
``collect(quarter) -> list[NewsItem]``); publications reads no other app's models here:

========================  ==================  ==============================================
section (key)             registered by       what goes in it
========================  ==================  ==============================================
new_members               summits/newsletter  public members (active or former) who joined in
                                              the quarter, or were announced at a public
                                              event held in it
events_held               summits/newsletter  public events that started in the quarter and
                                              are over
events_coming             summits/newsletter  public events of the quarter not over yet, and
                                              those of next quarter
roadmaps                  tracker/newsletter  roadmaps added to the tracker in the quarter,
                                              and those whose data (or targets) changed in
                                              it — with what changed
projects                  tracker/newsletter  industrial projects added in the quarter, or
                                              whose status changed
briefs                    publications (here) briefs published in the quarter
progress                  members/newsletter  progress updates published in the quarter,
                                              impact stories dated in it
workplan                  workplan/newsletter the public workplan covering the quarter: its
                                              targets' progress (as at the quarter's end),
                                              each objective, activities delivered in it
========================  ==================  ==============================================

**Assembly** (``assembly.issue_assemble``) copies what the sections found into
``NewsletterItem`` rows, one section per key, so that a sent issue never changes when the
data does. A section holds at most ``MAX_ITEMS`` items; past that, one last item says how
many more there are and links to the full list. A section with nothing this quarter is still
created, left out (``included=False``) and empty, so staff see "nothing this quarter" rather
than wonder where it went.

**Re-assembly** refreshes the data and keeps staff's work:

- custom sections ("Other") and their items are never touched;
- an assembled section keeps its title, note, position and inclusion (matched by kind) —
  except that it is left out when it becomes empty and put back when it had no items
  before and has some now;
- its assembled items (those with a ``source``) are replaced by fresh copies; an item staff
  had left out stays left out when the same source comes back; items staff added by hand
  (no ``source``) are kept where they are. Wording staff changed on an assembled item is
  replaced: annotate in the section's note instead;
- a deleted assembled section comes back at the end (to drop one, untick "included").

Queries: a fixed number whatever the amount of data (``tests/publications/test_newsletter.py``
asserts it at two data sizes); every registered section must keep to that.

Modules: ``assembly`` (collect, cap, write, what a re-assembly would replace), ``editing``
(reorder, trim, annotate), ``issues`` (create for a quarter, summary, publish), ``briefs``
(publications' own section). The names below are the package's interface.
"""

from leadit.newsletter_sections import (
    EXCERPT_WORDS,
    NewsItem,
    Quarter,
    excerpt,
    markdown_literal,
    next_quarter,
    quarter_bounds,
)

from .assembly import (
    MAX_ITEMS,
    STEP,
    AssembledState,
    Assembly,
    assembled_kinds,
    collect,
    issue_assemble,
    issue_assembled_state,
)
from .editing import (
    item_move,
    item_set_included,
    section_annotate,
    section_move,
    section_set_included,
    sections_renumber,
)
from .issues import issue_create_for_quarter, issue_publish, issue_summary, issue_title

__all__ = [
    "EXCERPT_WORDS",
    "MAX_ITEMS",
    "STEP",
    "AssembledState",
    "Assembly",
    "NewsItem",
    "Quarter",
    "assembled_kinds",
    "collect",
    "excerpt",
    "issue_assemble",
    "issue_assembled_state",
    "issue_create_for_quarter",
    "issue_publish",
    "issue_summary",
    "issue_title",
    "item_move",
    "item_set_included",
    "markdown_literal",
    "next_quarter",
    "quarter_bounds",
    "section_annotate",
    "section_move",
    "section_set_included",
    "sections_renumber",
]


def __getattr__(name: str):
    # ASSEMBLED_KINDS: the registered sections' keys in their order, read when asked (apps
    # register theirs in ready(), after this package is imported).
    if name == "ASSEMBLED_KINDS":
        return assembled_kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
