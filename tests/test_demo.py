"""``seed_demo``: idempotent, prints working logins, refuses production by default."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

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
def test_seed_demo_creates_a_staff_user_whose_printed_login_works(client):
    output = _seed()

    password = _printed_password(output, "staff@leadit.example")
    response = client.post(
        "/accounts/login/", {"login": "staff@leadit.example", "password": password}
    )
    user = get_user_model().objects.get(email="staff@leadit.example")
    assert user.is_staff
    assert response.status_code == 302
    assert response["Location"] != "/accounts/login/"


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_and_prints_the_same_login():
    first = _seed()
    count = get_user_model().objects.count()

    second = _seed()

    assert get_user_model().objects.count() == count
    assert _printed_password(first, "staff@leadit.example") == _printed_password(
        second, "staff@leadit.example"
    )


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_when_debug_is_off():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
