"""Staff's publications admin: briefs and rendered PDFs (``briefs``), newsletter issues
(``newsletters``, their own pages in ``newsletter_pages``, their sections and items in
``newsletter_sections``), subscribers and deliveries (``subscribers``)."""

# Importing registers the ModelAdmins.
from . import briefs, newsletter_sections, newsletters, subscribers  # noqa: F401
