"""``seed_demo``: idempotent, prints working logins, refuses production by default."""

import csv
import io
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

import leadit.demo


@pytest.fixture(autouse=True)
def _demo_logins_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(leadit.demo, "DEMO_LOGINS_FILE", tmp_path / "demo-logins.json")


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--allow-production", stdout=out)
    return out.getvalue()


def _printed_password(output: str, email: str) -> str:
    match = re.search(rf"{re.escape(email)} / (\S+)", output)
    assert match, output
    return match.group(1)


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_when_debug_is_off():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())


# --- What the public sees of the demo: truthful about real members and plans -------------


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for the tests below (seeding takes seconds), in a transaction
    rolled back after them; each test runs in a savepoint of it, so none sees another's
    changes. Its own logins file, which ``seeded`` points the test at."""
    logins = tmp_path_factory.mktemp("demo") / "demo-logins.json"
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setattr(leadit.demo, "DEMO_LOGINS_FILE", logins)
        output = _seed()
        yield output, logins
        transaction.set_rollback(True)


@pytest.fixture
def seeded(db, _seeded_once, monkeypatch):
    output, logins = _seeded_once
    monkeypatch.setattr(leadit.demo, "DEMO_LOGINS_FILE", logins)
    return output


@pytest.mark.django_db
def test_seed_demo_creates_a_staff_user_whose_printed_login_works(client, seeded):
    password = _printed_password(seeded, "staff@leadit.example")
    response = client.post(
        "/accounts/login/", {"login": "staff@leadit.example", "password": password}
    )
    user = get_user_model().objects.get(email="staff@leadit.example")
    assert user.is_staff
    assert response.status_code == 302
    assert response["Location"] != "/accounts/login/"


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.django_db
def test_a_real_member_shows_only_public_record_and_not_reported_commitments(client, seeded):
    from members.models import Member, MemberCommitment

    sweden = Member.objects.get(slug="sweden")
    assert not sweden.is_demo
    assert sweden.joined_on.isoformat() == "2019-09-23"
    assert set(sweden.commitments.values_list("status", flat=True)) == {
        MemberCommitment.Status.NOT_REPORTED
    }
    assert not sweden.progress_updates.exists()
    assert not sweden.impact_stories.exists()
    assert not sweden.pillar_engagements.exists()

    text = _text(client.get("/members/sweden/"))

    assert text.count("Status: Not reported") == 7
    assert "Not started" not in text
    assert "No progress updates published yet." in text
    assert "No impact stories published yet." in text
    assert "Demo record" not in text
    assert "co-chairs it" in text
    assert "Last reviewed" in text
    # No real member is given words, dates or records it did not publish.
    real = Member.objects.filter(is_demo=False)
    assert real.count() >= 20
    assert not real.filter(progress_updates__isnull=False).exists()
    assert not real.filter(impact_stories__isnull=False).exists()
    assert not real.exclude(slug__in=["sweden", "india"]).filter(joined_on__isnull=False)
    assert not MemberCommitment.objects.filter(member__in=real).exclude(
        status=MemberCommitment.Status.NOT_REPORTED
    )


@pytest.mark.django_db
def test_a_demo_member_is_labelled_on_the_directory_profile_and_csv(client, seeded):
    from members.models import Member

    demo = Member.objects.filter(is_demo=True)
    assert demo.count() == 6
    assert all(m.name.endswith("(demo)") for m in demo)

    profile = _text(client.get("/members/northwind-steel-demo/"))
    assert "Northwind Steel (demo) Demo record (invented)" in profile
    assert "fictional organisation" in profile
    assert "Pilot furnace commissioned (demo) Demo record (invented)" in profile

    directory = _text(client.get("/members/"))
    assert "Northwind Steel (demo) Demo record (invented)" in directory
    assert "Sweden Demo record" not in directory

    response = client.get("/members/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_name["Northwind Steel (demo)"]["demo_record"] == "Demo record (invented)"
    assert by_name["Sweden"]["demo_record"] == "no"


@pytest.mark.django_db
def test_the_demo_member_user_edits_a_fictional_member(client, seeded):
    password = _printed_password(seeded, "editor@northwind-steel.example")
    assert client.login(username="editor@northwind-steel.example", password=password)

    assert client.get("/members/northwind-steel-demo/edit/").status_code == 200
    assert client.get("/members/sweden/edit/").status_code == 404


@pytest.mark.django_db
def test_the_2021_workplan_is_a_closed_period_with_final_values(client, seeded):
    text = _text(client.get("/workplan/2021/"))

    assert "Closed period (2021)" in text
    assert "Behind" not in text
    assert "On track" not in text
    assert "final value not recorded" in text
    assert " 0 of " not in text
    assert "Outcome not recorded" in text


@pytest.mark.django_db
def test_the_2024_26_workplan_is_published_and_public(client, seeded):
    text = _text(client.get("/workplan/leadit-2-0-2024-26/"))

    assert "LeadIT 2.0 workplan 2024–26" in text
    assert "Draft" not in text
    assert "Global forum" in text and "Transition partnerships" in text
    assert "Leadership Summit at COP29, Baku Done" in text
    assert "(demo target)" in text
    listing = _text(client.get("/workplan/"))
    assert "LeadIT 2.0 workplan 2024–26" in listing


@pytest.mark.django_db
def test_the_cop28_to_cop30_summits_are_past_one_day_events(client, seeded):
    import zoneinfo

    from django.utils import timezone

    from summits.models import Event

    summits = {e.slug: e for e in Event.objects.filter(kind__slug="leadership-summit")}
    assert {"leadit-summit-cop28", "leadit-summit-cop29", "leadit-summit-cop30"} <= set(summits)
    assert "leadit-summit-cop31" not in summits  # nothing about it is recorded
    for event in summits.values():
        zone = zoneinfo.ZoneInfo(event.time_zone)
        assert event.end <= timezone.now()
        assert event.start.astimezone(zone).date() == event.end.astimezone(zone).date()
    cop28 = summits["leadit-summit-cop28"]
    assert cop28.start.astimezone(zoneinfo.ZoneInfo("Asia/Dubai")).date().isoformat() == (
        "2023-12-09"
    )
    assert "mission statement" in cop28.description
    for slug in ("leadit-summit-cop29", "leadit-summit-cop30"):
        assert "approximate" in summits[slug].description
    # Invented events involve only fictional members.
    for event in Event.objects.exclude(kind__slug="leadership-summit"):
        assert all(m.is_demo for m in event.host_members.all()), event.title


@pytest.mark.django_db
def test_seed_demo_twice_changes_no_record_and_prints_the_same_login(seeded):
    from members.models import Member, MemberCommitment, ProgressUpdate
    from summits.models import Event
    from workplan.models import Activity, ObjectiveTarget, Workplan

    def counts():
        return (
            Member.objects.count(),
            MemberCommitment.objects.count(),
            ProgressUpdate.objects.count(),
            Event.objects.count(),
            Workplan.objects.count(),
            Activity.objects.count(),
            Activity.history.count(),
            ObjectiveTarget.objects.count(),
            get_user_model().objects.count(),
            list(MemberCommitment.objects.order_by("pk").values_list("status", flat=True)),
        )

    first = counts()
    again = _seed()
    assert counts() == first
    # The same logins are printed again (kept in the logins file), not new passwords.
    assert _printed_password(again, "staff@leadit.example") == _printed_password(
        seeded, "staff@leadit.example"
    )
