"""The secretariat's admin for members: invitations, hiding updates, spreadsheets."""

import io
import re

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client

from members.models import Contact, Invitation, Member, ProgressUpdate
from members.resources import ContactResource, MemberResource
from tests.factories.members import (
    ContactFactory,
    EditorFactory,
    MemberFactory,
    PublishedUpdateFactory,
    SectorFactory,
)
from tests.factories.users import StaffFactory

INVITATION_ADD = "/admin/members/invitation/add/"
INVITATIONS = "/admin/members/invitation/"
UPDATES = "/admin/members/progressupdate/"
MEMBER_IMPORT = "/admin/members/member/import/"
MEMBER_EXPORT = "/admin/members/member/export/"
CONTACT_IMPORT = "/admin/members/contact/import/"
CSV_FORMAT = "0"  # the admins offer CSV, then XLSX
XLSX_FORMAT = "1"

MEMBER_HEADER = "slug,name,kind,country,economy_group,sectors,status,joined_on,website"


def link_in(message) -> str:
    return re.search(r"http://testserver(/members/invitations/[^/\s]+/)", message.body).group(1)


def upload(text: str, name: str = "members.csv") -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def csv(*rows: str, header: str = MEMBER_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


# --- Invitations ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_invitation_add_emails_a_link_that_works(staff_client, staff_user):
    member = MemberFactory(name="Sweden")

    response = staff_client.post(
        INVITATION_ADD, {"member": member.pk, "email": "Anna@Sweden.example"}, follow=True
    )

    assert "Invitation e-mailed to anna@sweden.example." in response.content.decode()
    invitation = Invitation.objects.get()
    assert invitation.email == "anna@sweden.example"
    assert invitation.invited_by == staff_user
    assert invitation.send_count == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@sweden.example"]
    page = Client().get(link_in(mail.outbox[0])).content.decode()
    assert "Invitation to keep Sweden" in page
    assert "Create your account" in page


@pytest.mark.django_db
def test_admin_invitation_add_form_asks_only_member_and_email(staff_client):
    page = staff_client.get(INVITATION_ADD).content.decode()

    assert 'name="member"' in page
    assert 'name="email"' in page
    assert 'name="expires_at"' not in page
    assert 'name="key_hash"' not in page


@pytest.mark.django_db
def test_admin_invitation_add_refuses_a_second_open_invitation(staff_client):
    member = MemberFactory(name="Sweden")
    staff_client.post(INVITATION_ADD, {"member": member.pk, "email": "anna@sweden.example"})

    response = staff_client.post(
        INVITATION_ADD, {"member": member.pk, "email": "ANNA@sweden.example"}
    )

    assert "anna@sweden.example already has an open invitation to Sweden" in (
        response.content.decode()
    )
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_admin_invitation_add_refuses_an_existing_editor(staff_client):
    editor = EditorFactory(email="anna@sweden.example")

    response = staff_client.post(
        INVITATION_ADD, {"member": editor.member.pk, "email": "anna@sweden.example"}
    )

    assert f"anna@sweden.example is already an editor of {editor.member}." in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_admin_invitation_resend_rotates_the_link(staff_client):
    member = MemberFactory()
    staff_client.post(INVITATION_ADD, {"member": member.pk, "email": "anna@sweden.example"})
    invitation = Invitation.objects.get()
    old_link = link_in(mail.outbox[0])

    response = staff_client.post(
        INVITATIONS, {"action": "resend", "_selected_action": [invitation.pk]}, follow=True
    )

    assert "1 invitation(s) sent again with a new link." in response.content.decode()
    assert len(mail.outbox) == 2
    new_link = link_in(mail.outbox[1])
    assert new_link != old_link
    anonymous = Client()
    old = anonymous.get(old_link)
    assert old.status_code == 404
    assert "This invitation link is not valid" in old.content.decode()
    assert "Create your account" in anonymous.get(new_link).content.decode()
    invitation.refresh_from_db()
    assert invitation.send_count == 2


@pytest.mark.django_db
def test_admin_invitation_revoke_and_resend_of_revoked_reports_per_invitation(staff_client):
    member = MemberFactory()
    staff_client.post(INVITATION_ADD, {"member": member.pk, "email": "anna@sweden.example"})
    invitation = Invitation.objects.get()
    link = link_in(mail.outbox[0])

    revoked = staff_client.post(
        INVITATIONS, {"action": "revoke", "_selected_action": [invitation.pk]}, follow=True
    )
    resent = staff_client.post(
        INVITATIONS, {"action": "resend", "_selected_action": [invitation.pk]}, follow=True
    )

    assert "1 invitation(s) revoked." in revoked.content.decode()
    assert (
        "Invitation of anna@sweden.example: This invitation is revoked." in resent.content.decode()
    )
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    assert "This invitation has been withdrawn" in Client().get(link).content.decode()


@pytest.mark.django_db
def test_admin_invitation_list_shows_state_and_filters_by_it(staff_client):
    member = MemberFactory()
    for email in ("open@member.example", "gone@member.example"):
        staff_client.post(INVITATION_ADD, {"member": member.pk, "email": email}, follow=True)
    Invitation.objects.filter(email="gone@member.example").update(revoked_at="2025-01-01T00:00Z")

    pending = staff_client.get(INVITATIONS + "?state=pending").content.decode()

    assert "open@member.example" in pending
    assert "gone@member.example" not in pending
    assert "Pending" in pending


# --- Hiding a progress update -------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_hide_with_reason_asks_for_the_reason_first(staff_client):
    update = PublishedUpdateFactory(title="Our roadmap")

    response = staff_client.post(
        UPDATES, {"action": "hide_with_reason", "_selected_action": [update.pk]}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "“Our roadmap”" in page
    assert '<label for="id_reason" class="required">Reason</label>' in page
    assert "<textarea" in page
    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.PUBLISHED


@pytest.mark.django_db
def test_admin_hide_with_reason_requires_a_reason(staff_client):
    update = PublishedUpdateFactory()

    response = staff_client.post(
        UPDATES,
        {
            "action": "hide_with_reason",
            "_selected_action": [update.pk],
            "reason": "   ",
            "apply": "Hide these updates",
        },
    )

    assert "This field is required." in response.content.decode()
    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.PUBLISHED


@pytest.mark.django_db
def test_admin_hide_with_reason_hides_the_updates(staff_client):
    first, second = PublishedUpdateFactory(), PublishedUpdateFactory()
    untouched = PublishedUpdateFactory()

    response = staff_client.post(
        UPDATES,
        {
            "action": "hide_with_reason",
            "_selected_action": [first.pk, second.pk],
            "reason": "Names a person without their consent.",
            "apply": "Hide these updates",
        },
        follow=True,
    )

    assert "2 progress update(s) hidden; the member sees the reason." in (response.content.decode())
    for update in (first, second):
        update.refresh_from_db()
        assert update.status == ProgressUpdate.Status.HIDDEN
        assert update.hidden_reason == "Names a person without their consent."
    untouched.refresh_from_db()
    assert untouched.status == ProgressUpdate.Status.PUBLISHED


# --- Import -------------------------------------------------------------------------------------


BAD_MEMBERS = csv(
    "sweden,Sweden,country,SE,developed,,active,2019-09-23,https://sweden.example",
    "atlantis,Atlantis,country,XX,developed,,active,,",
    "sweden,Sweden again,country,SE,developed,,active,,",
    "nameless,,country,IN,developing,,active,,",
    "steelco,SteelCo,company,DE,,no-such-sector,active,,",
)


@pytest.mark.django_db
def test_admin_member_import_shows_each_bad_row_and_writes_nothing(staff_client):
    response = staff_client.post(
        MEMBER_IMPORT, {"format": CSV_FORMAT, "import_file": upload(BAD_MEMBERS)}
    )

    page = response.content.decode()
    assert "Some rows failed to validate" in page
    assert "Unknown country code “XX”: use the two-letter ISO 3166-1 code, e.g. SE." in page
    assert "Duplicate: slug “sweden” is also in row 1 of this file." in page
    assert "This field cannot be blank." in page
    assert "Unknown sectors (slug): “no-such-sector”." in page
    assert "Confirm import" not in page
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_admin_contact_import_shows_bad_emails_and_unknown_members(staff_client):
    MemberFactory(slug="sweden")
    text = csv(
        "sweden,Anna Andersson,anna@sweden.example,Director,true,true",
        "sweden,Bo Berg,not-an-address,,false,true",
        "atlantis,Cy Coral,cy@atlantis.example,,false,false",
        header="member,name,email,role_title,is_primary,receives_newsletter",
    )

    response = staff_client.post(
        CONTACT_IMPORT, {"format": CSV_FORMAT, "import_file": upload(text, "contacts.csv")}
    )

    page = response.content.decode()
    assert "Some rows failed to validate" in page
    assert "Enter a valid email address." in page
    assert "No member with slug “atlantis”." in page
    assert "Confirm import" not in page
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_member_resource_import_with_a_bad_row_writes_nothing(db):
    dataset = tablib.Dataset().load(BAD_MEMBERS, format="csv")

    result = MemberResource().import_data(dataset, dry_run=False)

    assert result.has_validation_errors()
    assert sorted(row.number for row in result.invalid_rows) == [2, 3, 4, 5]
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_member_resource_import_with_an_unknown_country_code_writes_nothing(db):
    # The same widget as the tracker's imports: an unknown code is the row's error, in the
    # same words, and the good row before it is not written either.
    text = csv(
        "sweden,Sweden,country,se,developed,,active,2019-09-23,https://sweden.example",
        "atlantis,Atlantis,country,xx,developed,,active,,",
    )

    result = MemberResource().import_data(tablib.Dataset().load(text, format="csv"))

    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert invalid.error_dict == {
        "country": ["Unknown country code “XX”: use the two-letter ISO 3166-1 code, e.g. SE."]
    }
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_member_resource_import_rolls_back_good_rows_even_if_told_not_to(db):
    dataset = tablib.Dataset().load(BAD_MEMBERS, format="csv")

    MemberResource().import_data(
        dataset, dry_run=False, use_transactions=False, rollback_on_validation_errors=False
    )

    assert not Member.objects.exists()


@pytest.mark.django_db
def test_admin_member_import_good_file_imports_with_history(staff_client, staff_user):
    SectorFactory(slug="steel")
    SectorFactory(slug="cement")
    MemberFactory(slug="india", name="India", country="IN", economy_group="developing")
    text = csv(
        "sweden,Sweden,country,se,developed,,active,2019-09-23,https://sweden.example",
        "india,India,country,IN,developing,,former,2019-09-23,",
        '"steelco",SteelCo,company,DE,,"steel,cement",prospective,,',
    )

    preview = staff_client.post(MEMBER_IMPORT, {"format": CSV_FORMAT, "import_file": upload(text)})
    page = preview.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    done = staff_client.post(
        "/admin/members/member/process_import/",
        {**fields, "confirm": "Confirm import"},
        follow=True,
    )

    assert "Confirm import" in page
    assert "style=" not in page
    assert "Import finished: 2 new, 1 update" in done.content.decode()
    sweden = Member.objects.get(slug="sweden")
    assert sweden.country.code == "SE"
    assert Member.objects.get(slug="india").status == Member.Status.FORMER
    assert sorted(Member.objects.get(slug="steelco").sectors.values_list("slug", flat=True)) == [
        "cement",
        "steel",
    ]
    assert sweden.history.count() == 1
    assert sweden.history.get().history_user == staff_user
    assert Member.history.filter(slug="india").count() == 2


@pytest.mark.django_db
def test_admin_member_import_confirm_writes_nothing_if_the_data_changed(staff_client):
    text = csv(
        "sweden,Sweden,country,SE,developed,,active,,",
        "norway,Norway,country,NO,developed,,active,,",
    )
    preview = staff_client.post(MEMBER_IMPORT, {"format": CSV_FORMAT, "import_file": upload(text)})
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.content.decode())
    )
    # Between the dry run and the confirm someone adds a member of the same name.
    MemberFactory(name="Norway", slug="kingdom-of-norway")

    done = staff_client.post(
        "/admin/members/member/process_import/", {**fields, "confirm": "1"}, follow=True
    )

    assert "Nothing was imported: some rows have errors." in done.content.decode()
    assert not Member.objects.filter(slug__in=["sweden", "norway"]).exists()


@pytest.mark.django_db
def test_admin_import_needs_the_change_permission(client):
    viewer = StaffFactory(is_superuser=False)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_member"),
        Permission.objects.get(codename="view_contact"),
    )
    client.force_login(viewer)

    changelist = client.get("/admin/members/member/")
    get = client.get(MEMBER_IMPORT)
    post = client.post(MEMBER_IMPORT, {"format": CSV_FORMAT, "import_file": upload(csv())})
    contacts = client.get(CONTACT_IMPORT)
    export = client.get(MEMBER_EXPORT)

    assert changelist.status_code == 200
    assert MEMBER_IMPORT not in changelist.content.decode()
    assert get.status_code == post.status_code == contacts.status_code == 403
    assert export.status_code == 200


# --- Export -------------------------------------------------------------------------------------


def export_fields(resource_class) -> dict:
    prefix = resource_class.__name__.lower()
    return {f"{prefix}_{name}": "on" for name in resource_class._meta.fields}


@pytest.mark.django_db
def test_admin_member_export_escapes_formulae_in_csv(staff_client):
    MemberFactory(name='=HYPERLINK("https://evil.example","Click")', slug="evil")
    MemberFactory(name="Sweden", slug="sweden", description="-5 tonnes, @ COP28")

    response = staff_client.post(
        MEMBER_EXPORT, {"format": CSV_FORMAT, "resource": "0", **export_fields(MemberResource)}
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert '\'=HYPERLINK(""https://evil.example"",""Click"")' in text
    assert "'-5 tonnes, @ COP28" in text
    assert "\n=" not in text and ",=" not in text


@pytest.mark.django_db
def test_admin_contact_export_escapes_formulae_in_xlsx(staff_client):
    member = MemberFactory(slug="sweden")
    ContactFactory(member=member, name="@SUM(A1:A9)", role_title="+1 555", email="a@sweden.example")

    response = staff_client.post(
        "/admin/members/contact/export/",
        {"format": XLSX_FORMAT, "resource": "0", **export_fields(ContactResource)},
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("member", "name", "email", "role_title", "is_primary", "receives_newsletter")
    assert rows[1][:4] == ("sweden", "'@SUM(A1:A9)", "a@sweden.example", "'+1 555")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.django_db
def test_member_export_then_import_round_trips_escaped_names(db):
    MemberFactory(name="=1+1", slug="formula")
    dataset = MemberResource().export()
    Member.objects.all().delete()

    result = MemberResource().import_data(tablib.Dataset().load(dataset.csv, format="csv"))

    assert not result.has_errors() and not result.has_validation_errors()
    assert Member.objects.get(slug="formula").name == "=1+1"


# --- The import/export pages under the Content-Security-Policy ---------------------------------

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=|<style", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [MEMBER_IMPORT, MEMBER_EXPORT, CONTACT_IMPORT, "/admin/members/contact/export/"],
)
def test_admin_import_export_pages_have_no_inline_script_or_style(staff_client, url):
    response = staff_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert INLINE.findall(page) == []


@pytest.mark.django_db
def test_admin_export_page_select_all_works_without_inline_handlers(staff_client):
    page = staff_client.get(MEMBER_EXPORT).content.decode()

    assert '<input type="checkbox" class="select-toggle"' in page
    assert 'id="select-all-toggle"' in page
    assert "/static/js/admin-export-select-all.js" in page
    assert "/static/css/admin-import-export.css" in page
