"""What staff and members read around the admin: blank cells in the import preview are
blank (not "None"), a member who opens /admin/ is told why not and where their pages are,
and the minutes notification is grammatical."""

import datetime
import io
import re
import zoneinfo

import openpyxl
import pytest
from django.core import mail

from leadit.spreadsheets import StyleFreeDiff
from summits import notifications as summits_notifications
from summits.models import EventDocument
from tests.factories.members import ContactFactory, EditorFactory, MemberFactory
from tests.factories.summits import EventDocumentFactory, EventFactory, EventKindFactory
from tests.factories.tracker import SectorFactory

ROADMAP_IMPORT = "/admin/tracker/roadmap/import/"
XLSX_FORMAT = "1"
ROADMAP_HEADER = (
    "slug,title,scope,country,region,publisher,published_on,status,superseded_by,"
    "sectors,instruments,summary,document_url,language,last_reviewed_on,is_demo"
)


def _xlsx(*rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ROADMAP_HEADER.split(","))
    for row in rows:
        sheet.append(row)
    file = io.BytesIO()
    book.save(file)
    file.seek(0)
    file.name = "roadmaps.xlsx"
    return file


@pytest.mark.django_db
def test_the_import_preview_shows_blank_xlsx_cells_blank(staff_client):
    SectorFactory(name="Iron and steel", slug="steel")
    good = ["swe-steel", "Swedish roadmap", "national", "SE", None, "Gov", "2020-01-01"]
    good += ["adopted", None, "steel", None, None, None, None, None, None]
    bad = ["nowhere", "No country", "national", None, None, "Gov", None, "adopted"]

    page = staff_client.post(
        ROADMAP_IMPORT, {"format": XLSX_FORMAT, "import_file": _xlsx(good, bad)}
    ).content.decode()

    assert "A national roadmap needs a country." in page  # the row with errors is listed
    assert "<td>nowhere</td>" in page
    assert not re.search(r"<td>\s*None\s*</td>", page)
    assert ">None<" not in page


def test_the_preview_diff_shows_none_as_blank():
    diff = StyleFreeDiff.__new__(StyleFreeDiff)
    diff.left, diff.right, diff.new = [None, "old"], [None, "new"], False

    cells = diff.as_html()

    assert "None" not in "".join(cells)
    assert cells[0] == ""


@pytest.mark.django_db
def test_a_member_opening_the_admin_is_told_why_and_where_their_pages_are(client):
    editor = EditorFactory(member=MemberFactory(name="Demo Republic"))
    client.force_login(editor)

    response = client.get("/admin/", follow=True)

    page = response.content.decode()
    assert response.status_code == 403
    assert "The administration is for the secretariat" in page
    assert f"You are signed in as {editor.email}, an editor of Demo Republic." in page
    assert 'href="/members/dashboard/"' in page
    assert "Sign out" in page
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in page  # the site's page


@pytest.mark.django_db
def test_the_minutes_notification_says_the_minutes_are_available(staff_user):
    host = MemberFactory()
    ContactFactory(member=host, email="host@member.example")
    stockholm = zoneinfo.ZoneInfo("Europe/Stockholm")
    event = EventFactory(
        title="Board meeting, March 2027",
        kind=EventKindFactory(requires_documents=True),
        time_zone="Europe/Stockholm",
        start=datetime.datetime(2027, 3, 9, 14, tzinfo=stockholm),
        end=datetime.datetime(2027, 3, 9, 16, tzinfo=stockholm),
        host_members=[host],
    )
    minutes = EventDocumentFactory(
        event=event, kind=EventDocument.Kind.MINUTES, title="Minutes", link="https://x.org/m"
    )
    agenda = EventDocumentFactory(
        event=event, kind=EventDocument.Kind.AGENDA, title="Agenda", link="https://x.org/a"
    )

    summits_notifications.document_notify(document_id=minutes.pk)
    summits_notifications.document_notify(document_id=agenda.pk)

    minutes_mail, agenda_mail = mail.outbox
    assert (
        "The minutes of “Board meeting, March 2027” (9 March 2027, 14:00 Europe/Stockholm) "
        "are available" in minutes_mail.body
    )
    assert "is available" not in minutes_mail.body
    assert "The agenda of “Board meeting, March 2027”" in agenda_mail.body
    assert "is available" in agenda_mail.body
