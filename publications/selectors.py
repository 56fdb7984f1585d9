"""Reads of publications shared by the pages, the PDFs and the e-mails."""

from django.db.models import Prefetch, QuerySet

from .models import NewsletterIssue, NewsletterItem, NewsletterSection


def issue_sections(issue: NewsletterIssue) -> QuerySet[NewsletterSection]:
    """The sections of ``issue`` that staff kept, in their order, each with the items kept
    (``section.kept_items``): the one content the page, the PDF and the e-mail show."""
    return issue.sections.filter(included=True).prefetch_related(
        Prefetch(
            "items",
            queryset=NewsletterItem.objects.filter(included=True),
            to_attr="kept_items",
        )
    )
