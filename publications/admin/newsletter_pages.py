"""The newsletter issue's own admin pages: create an issue for a quarter, assemble it from the
quarter's data, publish it, send a test copy, send it to the subscribers, preview its e-mail
— and the steps on the issue's page that lead to them.

Each button leads to a page of its own (a plain form, no script: the admin runs under the
portal's strict CSP) which says what will happen before it happens. Those pages re-check
the model permissions (the admin site itself only checks ``is_staff``): change for
assembling, publishing and test copies; change plus "Can add delivery" for the real send,
which writes one delivery per subscriber.

The services live in ``publications.newsletter`` (assembly, publishing) and
``publications.sending`` (test send, send, progress). ``sending`` and ``emails`` are imported
inside the views that use them, so that this admin loads whatever state their modules are in.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from members.models import Contact

from .. import newsletter
from ..models import NewsletterIssue, Subscriber

SEND_PERMISSION = "publications.add_delivery"
# The e-mail preview shows the message exactly as mail programs get it, inline styles
# included (e-mail needs them). It is a staff-only page, sandboxed: no script runs, nothing
# is loaded from elsewhere, and it cannot be framed.
EMAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# --- Forms of the issue's own pages ---------------------------------------------------------


class CreateForQuarterForm(forms.Form):
    year = forms.IntegerField(min_value=2019, max_value=2100)
    quarter = forms.TypedChoiceField(
        choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int, label="Quarter"
    )


class PublishForm(forms.Form):
    published_on = forms.DateField(
        label="Publication date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Shown on the issue and in its PDF.",
    )


class TestSendForm(forms.Form):
    email = forms.EmailField(
        label="Send a test copy to",
        max_length=254,
        help_text="One address. The subject starts with “[Test]”; nobody else receives it.",
    )


# --- Who a send reaches --------------------------------------------------------------------


def recipient_estimate() -> int:
    """How many people a send now would reach: the current subscribers plus the member
    contacts flagged to receive the newsletter that the send will add as subscribers.
    Two queries."""
    from ..subscriptions import recipients

    known = Subscriber.objects.annotate(email_ci=Lower("email")).values("email_ci")
    new_contacts = (
        Contact.objects.filter(receives_newsletter=True)
        .exclude(email="")
        .annotate(email_ci=Lower("email"))
        .exclude(email_ci__in=known)
        .values("email_ci")
        .distinct()
        .count()
    )
    return recipients().count() + new_contacts


class IssuePagesMixin:
    """The issue's own pages, for ``NewsletterIssueAdmin``."""

    def _steps(self, request, issue) -> list[dict]:
        """The steps of preparing and sending the issue, each with the links the user may
        follow (a step whose action they may not take shows no link)."""
        change = self.has_change_permission(request, issue)
        sent = bool(issue.send_requested_at)
        may_send = change and request.user.has_perm(SEND_PERMISSION) and not sent
        publish = "Publish again (re-render the PDF)" if issue.is_published else "Publish…"

        def step(text: str, *links) -> dict:
            return {"text": text, "links": [(label, url) for label, url in links if url]}

        return [
            step(
                "Fill the sections from the quarter’s data (again, after the data changed).",
                (
                    "Assemble from the quarter’s data",
                    change and not sent and self._url("assemble", issue),
                ),
            ),
            step(
                "Reorder the sections by their position numbers, untick “included” to trim, "
                "write notes — below; edit each section’s items on its own page."
            ),
            step(
                "Check it as readers will see it.",
                ("Preview the page", issue.get_absolute_url()),
                ("Preview the e-mail", self._url("preview_email", issue)),
            ),
            step(
                "Send a test copy to yourself.",
                ("Send a test…", change and self._url("send_test", issue)),
            ),
            step(
                "Publish: the page goes public and the PDF is rendered.",
                (publish, change and self._url("publish", issue)),
            ),
            step(
                "Send it to the subscribers, once."
                + (" Done: its progress shows under “Sending”." if sent else ""),
                ("Send to subscribers…", may_send and self._url("send", issue)),
            ),
        ]

    # --- The issue's own pages ---

    def get_urls(self):
        def view(function, suffix: str):
            return path(
                f"<path:object_id>/{suffix.replace('_', '-')}/",
                self.admin_site.admin_view(function),
                name=f"publications_newsletterissue_{suffix}",
            )

        return [
            path(
                "create-for-quarter/",
                self.admin_site.admin_view(self.create_for_quarter_view),
                name="publications_newsletterissue_create_for_quarter",
            ),
            view(self.assemble_view, "assemble"),
            view(self.publish_view, "publish"),
            view(self.send_test_view, "send_test"),
            view(self.send_view, "send"),
            view(self.preview_email_view, "preview_email"),
            *super().get_urls(),
        ]

    def _url(self, suffix: str, issue) -> str:
        return reverse(f"admin:publications_newsletterissue_{suffix}", args=[issue.pk])

    def _change_url(self, issue) -> str:
        return reverse("admin:publications_newsletterissue_change", args=[issue.pk])

    def _issue(self, request, object_id: str, *, permission: str) -> NewsletterIssue:
        """The issue, after re-checking the model permission ("view", "change" or "send")."""
        issue = self.get_object(request, unquote(object_id))
        if issue is None:
            raise Http404("No such newsletter issue.")
        allowed = {
            "view": self.has_view_permission,
            "change": self.has_change_permission,
            "send": lambda r, o: (
                self.has_change_permission(r, o) and r.user.has_perm(SEND_PERMISSION)
            ),
        }[permission](request, issue)
        if not allowed:
            raise PermissionDenied
        return issue

    def _page(self, request, issue, *, title: str, template: str = "confirm", **context):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": issue,
            "issue": issue,
            "change_url": self._change_url(issue) if issue is not None else "",
            **context,
        }
        return TemplateResponse(
            request, f"admin/publications/newsletterissue/{template}.html", context
        )

    def add_view(self, request, form_url="", extra_context=None):
        # A new issue is always one quarter's, numbered and assembled: the quarter form.
        return HttpResponseRedirect(
            reverse("admin:publications_newsletterissue_create_for_quarter")
        )

    def create_for_quarter_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        # By default the quarter that ended last: the one an issue is usually written about.
        last_year, last_quarter = (
            (today.year - 1, 4) if today.month <= 3 else (today.year, (today.month - 1) // 3)
        )
        form = CreateForQuarterForm(
            request.POST or None, initial={"year": last_year, "quarter": last_quarter}
        )
        if request.method == "POST" and form.is_valid():
            try:
                issue = newsletter.issue_create_for_quarter(
                    year=form.cleaned_data["year"],
                    quarter=form.cleaned_data["quarter"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    f"“{issue.title}” was created and assembled from the quarter’s data. "
                    "Review its sections, then send a test copy.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(issue))
        return self._page(
            request,
            None,
            title="New newsletter issue",
            form=form,
            submit="Create and assemble",
            cancel_url=reverse("admin:publications_newsletterissue_changelist"),
            lines=[
                "The issue gets the next number and is assembled from the quarter’s data: "
                "new members, events held and coming, roadmaps and projects, briefs, members’ "
                "progress and the workplan’s progress. You review it before anything is sent.",
            ],
        )

    def assemble_view(self, request, object_id):
        issue = self._issue(request, object_id, permission="change")
        if request.method == "POST":
            self._assemble(request, issue)
            return HttpResponseRedirect(self._change_url(issue))
        return self._page(
            request,
            issue,
            title=f"Assemble “{issue}” from the quarter’s data",
            lines=_assemble_lines(issue),
            submit=None if issue.send_requested_at else "Assemble",
        )

    def _assemble(self, request, issue: NewsletterIssue) -> None:
        try:
            result = newsletter.issue_assemble(issue=issue, user=request.user)
            if issue.is_published:
                # The published PDF should show what the page now shows.
                newsletter.issue_publish(issue=issue, user=request.user)
        except ValidationError as exc:
            self.message_user(request, _errors(exc), messages.ERROR)
            return
        message = (
            f"Assembled from the data of {issue.quarter_label}: {_count(result.items, 'item')}."
        )
        if result.empty:
            message += " Nothing this quarter in: " + ", ".join(result.empty) + " (left out)."
        self.message_user(request, message, messages.SUCCESS)

    def publish_view(self, request, object_id):
        issue = self._issue(request, object_id, permission="change")
        initial = {"published_on": issue.published_on or timezone.localdate()}
        form = PublishForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                newsletter.issue_publish(
                    issue=issue, user=request.user, on=form.cleaned_data["published_on"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    f"“{issue}” is published on {issue.published_on:%-d %B %Y}. Its PDF is "
                    "being rendered: its state shows below.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(issue))
        lines = [
            f"“{issue}” becomes public at {issue.get_absolute_url()} and its PDF is rendered.",
            "Publishing does not e-mail anyone: “Send to subscribers” does, afterwards.",
        ]
        if issue.is_published:
            lines = [
                "The issue is already published. Publishing again renders the PDF again if "
                "its content changed."
            ]
        return self._page(
            request,
            issue,
            title=f"Publish “{issue}”",
            form=form,
            lines=lines,
            submit="Publish",
        )

    def send_test_view(self, request, object_id):
        from ..sending import issue_send_test

        issue = self._issue(request, object_id, permission="change")
        form = TestSendForm(
            request.POST or None, initial={"email": issue.test_sent_to or request.user.email}
        )
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            try:
                issue_send_test(issue=issue, email=email, user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request, f"A test copy of “{issue}” was sent to {email}.", messages.SUCCESS
                )
                return HttpResponseRedirect(self._change_url(issue))
        return self._page(
            request,
            issue,
            title=f"Send a test copy of “{issue}”",
            form=form,
            lines=["The e-mail as subscribers will get it, to one address, now."],
            submit="Send the test copy",
        )

    def send_view(self, request, object_id):
        issue = self._issue(request, object_id, permission="send")
        refusal = _send_refusal(issue)
        if request.method == "POST":
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
            else:
                self._send(request, issue)
            return HttpResponseRedirect(self._change_url(issue))
        count = 0 if refusal else recipient_estimate()
        return self._page(
            request,
            issue,
            title=f"Send “{issue}” to subscribers",
            lines=[refusal] if refusal else _send_lines(issue, count),
            recipients=count,
            submit=None if refusal else f"Send to {count:,} recipients",
        )

    def _send(self, request, issue: NewsletterIssue) -> None:
        from ..sending import issue_send

        try:
            issue_send(issue=issue, user=request.user)
        except ValidationError as exc:
            self.message_user(request, _errors(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                f"Sending “{issue}” has started. Its progress shows below; reload the "
                "page to follow it.",
                messages.SUCCESS,
            )

    def preview_email_view(self, request, object_id):
        from ..emails import issue_email

        issue = self._issue(request, object_id, permission="view")
        response = HttpResponse(issue_email(issue).html)
        response["Content-Security-Policy"] = EMAIL_PREVIEW_CSP
        response["X-Robots-Tag"] = "noindex"
        return response


# --- What the confirmation pages say --------------------------------------------------------


def _assemble_lines(issue: NewsletterIssue) -> list[str]:
    """What an assembly of ``issue`` will replace and keep, before staff confirm it."""
    if issue.send_requested_at:
        return ["This issue has been sent: its content stays as it was sent."]
    state = newsletter.issue_assembled_state(issue)
    if state.would_replace:
        kept = ["the sections’ titles, order and notes, and which are included"]
        if state.left_out:
            kept.append(f"{_count(state.left_out, 'item')} you left out (still left out)")
        if state.added_by_staff:
            kept.append(f"{_count(state.added_by_staff, 'item')} you added by hand")
        if state.custom_sections:
            kept.append(f"{_count(state.custom_sections, 'section')} of your own")
        lines = [
            f"The items assembled earlier ({_count(state.items, 'item')}) are replaced by "
            f"fresh ones from the data of {issue.quarter_label}.",
            "Kept as they are: " + "; ".join(kept) + ".",
            "Wording you changed on an assembled item is replaced: use the sections’ "
            "notes for your own words.",
        ]
    else:
        lines = [
            f"The sections are filled from the data of {issue.quarter_label}. Sections "
            "with nothing this quarter are created and left out."
        ]
    if issue.is_published:
        lines.append("The issue is published: its PDF is rendered again afterwards.")
    return lines


def _send_refusal(issue: NewsletterIssue) -> str:
    """Why ``issue`` cannot be sent now, or ""."""
    if issue.send_requested_at:
        return (
            "This issue has already been sent (or is being sent): an issue is sent only "
            "once. Its progress shows on the issue’s page."
        )
    if not issue.is_published:
        return "Publish the issue first: only a published issue is sent."
    return ""


def _send_lines(issue: NewsletterIssue, count: int) -> list[str]:
    """Who the send reaches and what happens, before staff confirm it."""
    lines = [
        f"“{issue}” will be e-mailed to {count:,} recipient"
        f"{'' if count == 1 else 's'}: the confirmed subscribers and the member "
        "contacts flagged to receive the newsletter.",
        "It is sent once, in batches, by a background job. This cannot be undone.",
    ]
    if issue.test_sent_at:
        lines.append(
            f"Last test copy: to {issue.test_sent_to} on "
            f"{timezone.localtime(issue.test_sent_at):%-d %B %Y at %H:%M}."
        )
    else:
        lines.append("No test copy was sent yet: consider sending one first.")
    return lines
