"""Staff's publications admin: briefs and rendered PDFs (``briefs``), newsletter issues
(``newsletters``), subscribers and deliveries (``subscribers``)."""

from . import briefs, newsletters, subscribers  # noqa: F401 - registers the ModelAdmins
