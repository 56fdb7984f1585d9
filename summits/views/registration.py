"""Registering delegates (member users), cancelling them, and the attendee lists (staff).

A member user registers delegates of their OWN members only: a member id that is not one
of theirs answers 404 and nothing is written. The rules (deadline, capacity, duplicates)
live in ``summits.services``; their messages are shown on the form."""

import csv
import io
from datetime import UTC

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from leadit.access import log_refused, permitted_or_404
from leadit.spreadsheets import escape_formula
from members.models import Member

from ..forms import RegistrationForm
from ..models import Event, Registration
from ..selectors.events import registering_members, registrations_active
from ..services import registration_cancel, registration_create
from .public import render_event_page, visible_event


def _add_service_errors(form: RegistrationForm, exc: ValidationError) -> None:
    """The service's messages on the form: on a field it has, else on the whole form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event(request, slug)
    if request.method != "POST":
        return redirect(event)
    members = registering_members(user=request.user)
    posted = request.POST.get("member", "").strip()
    # Another member's id (or nonsense) is not one of the choices: 404, nothing written
    # (logged when it names a member that exists).
    if posted and (not posted.isdigit() or not members.filter(pk=int(posted)).exists()):
        if posted.isdigit() and Member.objects.filter(pk=int(posted)).exists():
            log_refused(request, "member", posted, action="register delegates for")
        raise Http404("Not one of your members.")
    if not members.exists():
        log_refused(request, "event registration", repr(slug), action="register for")
        raise Http404("You register delegates for a member you edit.")
    data = request.POST.copy()
    if not posted and len(members) == 1:
        data["member"] = str(members[0].pk)  # one member: the choice is implicit
    form = RegistrationForm(data, members=members)
    if form.is_valid():
        data = form.cleaned_data
        try:
            registration = registration_create(
                event=event,
                member=data["member"],
                user=request.user,
                name=data["name"],
                email=data["email"],
                role=data["role"],
                attendance_mode=data["attendance_mode"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{registration.name} is registered for “{event.title}” "
                f"on behalf of {registration.member.name}.",
            )
            return redirect(event)
    return render_event_page(request, event, form=form)


@require_POST
def cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cancel a registration of a member the user edits (staff: any); else 404."""
    event = visible_event(request, slug)
    registration = permitted_or_404(
        request,
        Registration.objects.editable_by(request.user).select_related("member"),
        what="registration",
        identifier=pk,
        action="cancel",
        pk=pk,
        event=event,
    )
    try:
        registration_cancel(registration=registration, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"The registration of {registration.name} for “{event.title}” is cancelled."
        )
    return redirect(event)


EXPORT_COLUMNS = ["Member", "Name", "E-mail", "Role", "Attendance", "Registered at (UTC)"]
EXPORT_FORMATS = ("csv", "xlsx")


def _cell(value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return escape_formula(value)


def _rows(event: Event) -> list[list]:
    return [
        [
            _cell(r.member.name),
            _cell(r.name),
            _cell(r.email),
            _cell(r.role),
            _cell(r.get_attendance_mode_display()),
            r.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        ]
        for r in registrations_active(event=event)
    ]


def attendees_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The event's active registrations as CSV or XLSX (staff); any other format 404."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    event = get_object_or_404(Event, slug=slug)
    rows = _rows(event)
    filename = f"{event.slug}-attendees.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        body = "\ufeff".encode() + out.getvalue().encode()
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Attendees")
        sheet.append(EXPORT_COLUMNS)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
