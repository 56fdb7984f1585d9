"""Staff's publications admin: briefs and rendered PDFs (``briefs``), newsletter issues,
subscribers and deliveries (``newsletters``)."""

from . import briefs, newsletters  # noqa: F401 - registers the ModelAdmins
