"""Creating an issue for a quarter (numbered, titled, assembled, summarised) and publishing
it."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from leadit.newsletter_sections import newsletter_sections, quarter_bounds

from ..models import NewsletterIssue, Publication
from .assembly import issue_assemble, record_history


def issue_title(*, number: int, year: int, quarter: int) -> str:
    return f"LeadIT newsletter No. {number} — Q{quarter} {year}"


@transaction.atomic
def issue_create_for_quarter(
    *, year: int, quarter: int, user=None, now: datetime | None = None
) -> NewsletterIssue:
    """A new draft issue for a quarter (the next number; title "LeadIT newsletter No. N —
    Q3 2025", address "newsletter-2025-q3"), assembled from that quarter's data."""
    quarter_bounds(year, quarter)
    if NewsletterIssue.objects.filter(year=year, quarter=quarter).exists():
        raise ValidationError(f"There is already an issue for Q{quarter} {year}.")
    number = (NewsletterIssue.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    issue = NewsletterIssue(
        number=number,
        year=year,
        quarter=quarter,
        title=issue_title(number=number, year=year, quarter=quarter),
        slug=f"newsletter-{year}-q{quarter}",
        status=Publication.Status.DRAFT,
    )
    issue.full_clean()
    if user is not None:
        issue._history_user = user
    issue._change_reason = f"Created for Q{quarter} {year}"
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError as exc:
        # Two members of staff created an issue at the same moment: the number or the
        # quarter is taken now.
        raise ValidationError("Another issue was created at the same time; try again.") from exc
    assembly = issue_assemble(issue=issue, user=user, now=now)
    issue.refresh_from_db()
    issue.summary = issue_summary(counts=assembly.counts, label=f"Q{quarter} {year}")
    record_history(issue, user=user, reason="Summary written from the assembled sections")
    return issue


def issue_summary(*, counts: dict[str, int], label: str) -> str:
    """A first summary for the archive from what was assembled, e.g. "Q3 2025 at LeadIT:
    2 new members, 1 event held, 3 briefs and the workplan's progress." (each registered
    section's phrase, in the sections' order). Staff may rewrite it; re-assembly never
    touches it."""
    parts = [source.summary_phrase(counts.get(source.key, 0)) for source in newsletter_sections()]
    parts = [part for part in parts if part]
    if not parts:
        return f"The LeadIT newsletter for {label}."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{label} at LeadIT: {listed}."


def _request_render(issue: NewsletterIssue, user):
    # Imported here: documents.py (render task) is a sibling service module whose own
    # imports load the rendering stack, which the assembly never needs.
    from ..documents import document_request_render

    return document_request_render(publication=issue, requested_by=user)


@transaction.atomic
def issue_publish(*, issue: NewsletterIssue, user=None, on: date | None = None) -> NewsletterIssue:
    """Publish ``issue`` on ``on`` (default: the date it was published on before, or today)
    and request its PDF. An issue with no section kept cannot be published."""
    given, issue = issue, NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if not issue.sections.filter(included=True).exists():
        raise ValidationError(
            "This issue has no section to publish: assemble it or add a section first."
        )
    issue.status = Publication.Status.PUBLISHED
    issue.published_on = on or issue.published_on or timezone.localdate()
    issue.full_clean()
    record_history(issue, user=user, reason=f"Published on {issue.published_on:%Y-%m-%d}")
    _request_render(issue, user)
    given.status, given.published_on = issue.status, issue.published_on
    return issue
