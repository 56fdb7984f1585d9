"""What the newsletter's tests share: the third quarter of 2025 (the issue assembled
early in October) and moving data's history to a moment of it."""

import datetime

from publications import newsletter
from publications.models import NewsletterSection
from tests.factories.publications import NewsletterIssueFactory

UTC = datetime.UTC
Kind = NewsletterSection.Kind
# The issue covers Q3 2025 (1 July – 30 September) and is assembled early in October.
Q3_START, Q3_END = datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)
NOW = datetime.datetime(2025, 10, 6, 9, 0, tzinfo=UTC)


def moment(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=UTC)


def created_at(obj, when: datetime.datetime):
    """Pretend ``obj`` (with history) was created at ``when``."""
    model = type(obj)
    model.history.filter(id=obj.pk).update(history_date=when)
    if hasattr(obj, "created_at"):
        model.objects.filter(pk=obj.pk).update(created_at=when)
    return obj


def changed_at(obj, when: datetime.datetime, **values):
    """Change ``obj`` at ``when`` (its history record dated then)."""
    for name, value in values.items():
        setattr(obj, name, value)
    obj._history_date = when
    obj.save()
    return obj


def issue_for_q3(**kwargs):
    return NewsletterIssueFactory(year=2025, quarter=3, slug="newsletter-2025-q3", **kwargs)


def section(issue, kind) -> NewsletterSection:
    return issue.sections.get(kind=kind)


def titles(issue, kind) -> list[str]:
    return list(section(issue, kind).items.values_list("title", flat=True))


def assemble(issue, now=NOW):
    return newsletter.issue_assemble(issue=issue, now=now)
