"""Spreadsheet import/export of a workplan's activities (admin, CSV and XLSX).

The layout follows the workplan PDF: pathway, group, activity, status, start_date,
due_date, lead (a staff e-mail), partners, partner_members (member slugs), then one column
per objective number of the chosen workplan ("1", "2", …) holding X or blank — the
objective matrix. The workplan is chosen on the admin's import or export form and handed to
the resource (``ActivityResource(workplan=…)``).

Rows are matched on (pathway, group, activity title) within the workplan, so an exported
file can be edited and imported back; a pathway or group that does not exist yet is
created. A header naming an objective number the workplan lacks is an error for the whole
file; every row is validated (unknown status, bad lead, due date before start, a mark
other than X); one bad row and nothing is written (``leadit.spreadsheets``).
"""

import datetime
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Max
from import_export import fields
from import_export.widgets import CharWidget, DateWidget, Widget

from leadit.spreadsheets import (
    PortalModelResource,
    column,
    errors_raised_by,
    raise_errors,
    slugs_column,
)
from members.models import Member

from .models import Activity, ActivityGroup, ImpactPathway, Objective, Workplan

MARK = "X"
OBJECTIVE_HEADER = re.compile(r"^\d+$")


class ImportFileError(Exception):
    """A problem with the whole file (not one row); shown above the rows' errors."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class StatusWidget(Widget):
    """A status by its label or value, case-insensitive ("Done", "in progress",
    "in_progress"); blank is planned. Exported as the label."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return Activity.Status.PLANNED
        wanted = text.lower().replace("_", " ")
        for status in Activity.Status:
            if wanted in (status.value.replace("_", " "), status.label.lower()):
                return status.value
        allowed = ", ".join(s.label.lower() for s in Activity.Status)
        raise ValueError(f"Unknown status “{text}”: use {allowed}.")

    def render(self, value, obj=None, **kwargs):
        return Activity.Status(value).label if value else ""


class DayWidget(DateWidget):
    """A date; a spreadsheet's date-and-time cell counts as its day."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        return super().clean(value, row=row, **kwargs)


class LeadWidget(Widget):
    """The lead by e-mail: a staff user's address, case-insensitive; blank for none."""

    def clean(self, value, row=None, **kwargs):
        email = _text(value).lower()
        if not email:
            return None
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(f"The lead “{email}” is not an e-mail address.") from None
        user = get_user_model().objects.filter(email__iexact=email, is_staff=True).first()
        if user is None:
            raise ValueError(f"No staff user has the e-mail address “{email}”.")
        return user

    def render(self, value, obj=None, **kwargs):
        return value.email if value else ""


class TitleField(fields.Field):
    """The pathway or group title of the row: read for matching and for creating the
    group (``ActivityResource.import_instance``), exported from the activity's group."""

    def __init__(self, *, path: str, column_name: str):
        # ``attribute`` names the column in a row's errors; the title is kept apart.
        super().__init__(attribute=column_name, column_name=column_name)
        self.path = path
        self.store = f"_{column_name}_title"

    def save(self, instance, row, is_m2m=False, **kwargs):
        title = _text(row.get(self.column_name))
        if not title:
            raise ValueError(f"Give the {self.column_name}'s title.")
        setattr(instance, self.store, title)

    def export(self, instance, **kwargs):
        if not instance.group_id:
            return getattr(instance, self.store, "")
        value = instance
        for part in self.path.split("."):
            value = getattr(value, part)
        return value


class ObjectiveMarkField(fields.Field):
    """One column of the matrix: X when the activity serves objective ``number``."""

    def __init__(self, *, objective: Objective):
        super().__init__(
            attribute=f"objective_{objective.number}", column_name=str(objective.number)
        )
        self.objective = objective

    def save(self, instance, row, is_m2m=False, **kwargs):
        text = _text(row.get(self.column_name)).upper()
        if text not in ("", MARK):
            raise ValueError(
                f"Objective {self.objective.number}: write X or leave the cell blank, "
                f"not “{_text(row.get(self.column_name))}”."
            )
        instance._marks[self.objective.pk] = text == MARK

    def export(self, instance, **kwargs):
        if instance.pk is None:
            marked = getattr(instance, "_marks", {}).get(self.objective.pk, False)
        else:
            marked = any(o.pk == self.objective.pk for o in instance.objectives.all())
        return MARK if marked else ""


class ActivityResource(PortalModelResource):
    pathway = TitleField(path="group.pathway.title", column_name="pathway")
    group = TitleField(path="group.title", column_name="group")
    title = fields.Field(attribute="title", column_name="activity", widget=CharWidget())
    status = column("status", StatusWidget())
    start_date = column("start_date", DayWidget())
    due_date = column("due_date", DayWidget())
    lead = column("lead", LeadWidget())
    partners = column("partners", CharWidget())
    partner_members = slugs_column("partner_members", Member)

    class Meta:
        model = Activity
        fields = (
            "pathway",
            "group",
            "title",
            "status",
            "start_date",
            "due_date",
            "lead",
            "partners",
            "partner_members",
        )
        export_order = fields
        import_id_fields = ("pathway", "group", "title")
        skip_unchanged = False

    def __init__(self, *, workplan: Workplan | None = None, **kwargs):
        super().__init__(**kwargs)
        self.workplan = workplan
        self.objectives: list[Objective] = (
            list(workplan.objectives.order_by("number")) if workplan else []
        )
        for objective in self.objectives:
            self.fields[f"objective_{objective.number}"] = ObjectiveMarkField(objective=objective)

    @classmethod
    def get_display_name(cls):
        return "Activities of one workplan, with one X column per objective number"

    # --- Import -----------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        if dataset.headers:
            # Spreadsheet cells give numbers for the objective columns: 3 means "3".
            dataset.headers = [_text(header) for header in dataset.headers]
        super().before_import(dataset, **kwargs)
        self._new_orders: dict[int, int] = {}
        if self.workplan is None:
            raise ImportFileError("Choose the workplan whose activities the file holds.")
        numbers = {str(o.number) for o in self.objectives}
        unknown = [
            h for h in (dataset.headers or []) if OBJECTIVE_HEADER.match(h) and h not in numbers
        ]
        if unknown:
            have = ", ".join(sorted(numbers, key=int)) or "none"
            columns = ", ".join(f"“{h}”" for h in unknown)
            raise ImportFileError(
                f"The file has objective column(s) {columns}, but the workplan "
                f"“{self.workplan}” has no such objective (its objectives: {have}). "
                "Nothing was imported."
            )

    def get_instance(self, instance_loader, row):
        if self.workplan is None:
            return None
        pathway, group, title = (_text(row.get(c)) for c in ("pathway", "group", "activity"))
        if not (pathway and group and title):
            return None
        return (
            Activity.objects.filter(
                group__pathway__workplan=self.workplan,
                group__pathway__title__iexact=pathway,
                group__title__iexact=group,
                title__iexact=title,
            )
            .order_by("pk")
            .first()
        )

    def import_instance(self, instance, row, **kwargs):
        instance._marks = {}
        errors = errors_raised_by(super().import_instance, instance, row, **kwargs)
        start, due = instance.start_date, instance.due_date
        dates_clean = "start_date" not in errors and "due_date" not in errors
        if dates_clean and start and due and due < start:
            errors["due_date"] = [
                ValidationError(f"The due date {due} is before the start date {start}.")
            ]
        pathway = getattr(instance, "_pathway_title", "")
        group = getattr(instance, "_group_title", "")
        if self.workplan is not None and pathway and group:
            instance.group = self._group(pathway, group)
        raise_errors(errors)

    def _group(self, pathway_title: str, group_title: str) -> ActivityGroup:
        """The workplan's group of that title under that pathway, created if missing (at
        the end of the order). Inside the import's transaction: a failed import or a dry
        run leaves none behind."""
        pathway = self.workplan.pathways.filter(title__iexact=pathway_title).first()
        if pathway is None:
            last = self.workplan.pathways.aggregate(last=Max("order"))["last"]
            pathway = ImpactPathway.objects.create(
                workplan=self.workplan,
                title=pathway_title,
                order=0 if last is None else last + 1,
            )
        group = pathway.groups.filter(title__iexact=group_title).first()
        if group is None:
            last = pathway.groups.aggregate(last=Max("order"))["last"]
            group = ActivityGroup.objects.create(
                pathway=pathway, title=group_title, order=0 if last is None else last + 1
            )
        return group

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk is None:
            last = instance.group.activities.aggregate(last=Max("order"))["last"]
            instance.order = 0 if last is None else last + 1

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        # Only the columns in the file change marks: an objective without a column keeps
        # its marks. ``set`` records one history row for the change.
        wanted = {pk for pk, marked in instance._marks.items() if marked}
        present = set(instance.objectives.values_list("pk", flat=True))
        in_file = set(instance._marks)
        new = (present - in_file) | wanted
        if new != present:
            instance.objectives.set(new)

    # --- Export -----------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        if self.workplan is not None:
            queryset = queryset.filter(group__pathway__workplan=self.workplan)
        return (
            queryset.select_related("group__pathway", "lead")
            .prefetch_related("objectives", "partner_members")
            .order_by(
                "group__pathway__order",
                "group__pathway__pk",
                "group__order",
                "group__pk",
                "order",
                "pk",
            )
        )
