"""The secretariat's forms for events, where times are entered and read on the wall clock of
the event's own time zone.

Events are stored as aware datetimes (UTC in the database) and the site's time zone is UTC,
so Django's default admin form would show and read every time in UTC: a workshop at 09:00
in Kolkata would read 03:30. Here the form converts the stored times to naive local times of
``event.time_zone`` for display, and the typed times back to aware ones in the zone chosen on
the form (changing the zone keeps the wall-clock time that was typed). The zone is typed
into a field with a list of suggestions (``<datalist>``: searchable, no script)."""

import datetime
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from .models import TIME_ZONES, Event

ZONE_NAMES = [name for name, _label in TIME_ZONES]
_ZONES = set(ZONE_NAMES)
LOCAL_SUFFIX = " (in the event's time zone)"


def utc_offset_label(zone_name: str, *, at: datetime.datetime | None = None) -> str:
    """``UTC+05:30`` for Asia/Kolkata: the zone's offset now (or at ``at``)."""
    at = at or datetime.datetime.now(datetime.UTC)
    offset = at.astimezone(zoneinfo.ZoneInfo(zone_name)).utcoffset() or datetime.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def find_time_zone(text: str) -> str | None:
    """The time zone named by ``text``: its full name in any case (``asia/kolkata``) or,
    when only one zone has it, its city (``Kolkata``, ``new york``)."""
    text = (text or "").strip()
    if text in _ZONES:
        return text
    wanted = text.replace(" ", "_").casefold()
    if not wanted:
        return None
    for name in ZONE_NAMES:
        if name.casefold() == wanted:
            return name
    by_city = [name for name in ZONE_NAMES if name.rsplit("/", 1)[-1].casefold() == wanted]
    return by_city[0] if len(by_city) == 1 else None


class TimeZoneInput(forms.TextInput):
    """A text box with every time zone as a suggestion: browsers filter the list as one
    types ("Kolk" finds Asia/Kolkata), and each suggestion shows the zone's UTC offset."""

    def __init__(self, attrs=None):
        super().__init__(
            {"autocomplete": "off", "spellcheck": "false", "size": 30, **(attrs or {})}
        )

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or f'id_{name}'}_list"
        attrs["list"] = list_id
        now = datetime.datetime.now(datetime.UTC)
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((zone, utc_offset_label(zone, at=now)) for zone in ZONE_NAMES),
        )
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class TimeZoneField(forms.CharField):
    widget = TimeZoneInput
    default_error_messages = {
        "unknown": (
            "“%(value)s” is not a time zone we know. Type the city and choose from the "
            "list, for example Asia/Kolkata or Europe/Stockholm."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "help_text",
            "Type a city (for example Kolkata or Stockholm) and choose from the list.",
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        zone = find_time_zone(value)
        if zone is None:
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": value}
            )
        return zone


class LocalDateTimeField(forms.SplitDateTimeField):
    """A date and a time on a wall clock, kept naive: the form gives it its time zone.

    Native date and time inputs (no admin calendar script: its "you are N hours ahead of
    server time" note would speak of UTC, which is not what these fields are in)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.SplitDateTimeWidget(
                date_attrs={"type": "date"},
                time_attrs={"type": "time"},
                date_format="%Y-%m-%d",
                time_format="%H:%M",
            ),
        )
        super().__init__(**kwargs)

    def compress(self, data_list):
        if data_list:
            if data_list[0] in self.empty_values:
                raise ValidationError(self.error_messages["invalid_date"], code="invalid_date")
            if data_list[1] in self.empty_values:
                raise ValidationError(self.error_messages["invalid_time"], code="invalid_time")
            return datetime.datetime.combine(*data_list)  # naive on purpose
        return None

    def prepare_value(self, value):
        return value  # never converted to the site's (UTC) time zone


def to_local(moment: datetime.datetime | None, zone_name: str):
    """An aware datetime as a naive wall-clock time in ``zone_name``."""
    if not isinstance(moment, datetime.datetime) or moment.tzinfo is None:
        return moment
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name)).replace(tzinfo=None)


def from_local(moment: datetime.datetime, zone_name: str) -> datetime.datetime:
    """A naive wall-clock time in ``zone_name`` as an aware datetime; a time the clocks skip
    (the hour lost to summer time) is refused. In the hour that occurs twice when clocks go
    back, the first (summer-time) one is meant."""
    zone = zoneinfo.ZoneInfo(zone_name)
    aware = moment.replace(tzinfo=zone, fold=0)
    if aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != moment:
        raise ValidationError(
            "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward then. "
            "Choose another time.",
            code="nonexistent",
            params={
                "time": moment.strftime("%H:%M"),
                "date": moment.strftime("%-d %B %Y"),
                "zone": zone_name,
            },
        )
    return aware


class EventAdminForm(forms.ModelForm):
    """Start, end and registration deadline on the wall clock of the event's time zone."""

    LOCAL_FIELDS = ("start", "end", "registration_deadline")

    time_zone = TimeZoneField(label="Time zone", initial="Europe/Stockholm")
    start = LocalDateTimeField(label="Start" + LOCAL_SUFFIX)
    end = LocalDateTimeField(label="End" + LOCAL_SUFFIX)
    registration_deadline = LocalDateTimeField(
        label="Registration deadline" + LOCAL_SUFFIX,
        required=False,
        help_text="Registration closes at this local time. Leave empty for no deadline.",
    )
    online_link = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=Event._meta.get_field("online_link").help_text,
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "slug",
            "visibility",
            "description",
            "time_zone",
            "start",
            "end",
            "location",
            "format",
            "online_link",
            "host_members",
            "partners",
            "working_group",
            "announced_members",
            "milestone",
            "responsible",
            "capacity",
            "registration_deadline",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self.initial.get("time_zone") or self.instance.time_zone
        if zone in _ZONES:
            for name in self.LOCAL_FIELDS:
                self.initial[name] = to_local(self.initial.get(name), zone)
        for name in ("start", "end"):
            if name in self.fields:
                self.fields[name].help_text = (
                    "The local time where the event takes place, in the time zone above "
                    "(not your own, and not UTC)."
                )

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("time_zone")
        for name in self.LOCAL_FIELDS:
            value = cleaned.get(name)
            if not isinstance(value, datetime.datetime):
                continue
            if zone is None:  # the zone's own error is shown; nothing to convert with
                cleaned.pop(name)
                continue
            try:
                cleaned[name] = from_local(value, zone)
            except ValidationError as exc:
                self.add_error(name, exc)
        return cleaned
