"""What an introduction request refuses, with a clear message and nothing written: an
introduction to oneself, a duplicate pending one, an empty message, control characters,
another member's id; the eleventh in a day (429); who may not ask; and another member's
introduction, which answers 404 and is logged."""

import datetime
import logging

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leadit.models import BackgroundJob
from technology.models import Introduction
from tests.factories.members import EditorFactory, MemberFactory
from tests.factories.partnerships import FocalPointFactory, SupportRequestFactory
from tests.factories.technology import (
    IntroductionFactory,
    TechnologyNeedFactory,
    TechnologySolutionFactory,
)
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def asker():
    return EditorFactory()


@pytest.fixture
def solution():
    return TechnologySolutionFactory(name="Hydrogen direct reduction")


def ask(client, solution, on_behalf_of, message="We would like a licence."):
    return client.post(
        reverse("technology:introduction_solution", args=[solution.slug]),
        {"on_behalf_of": on_behalf_of, "message": message},
    )


def assert_nothing_written(count=0):
    assert Introduction.objects.count() == count
    assert not BackgroundJob.objects.filter(task_name__startswith="technology.").exists()


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "Write a message: say why you would like to be introduced."),
        ("   \n\t ", "Write a message: say why you would like to be introduced."),
        ("Hello \x1b[31mred\x1b[0m", "Remove the invisible control characters"),
        ("Hello\x00there", "Null characters are not allowed"),
    ],
)
def test_a_bad_message_is_refused(asker, solution, message, expected):
    response = ask(client_for(asker), solution, f"member-{asker.member.pk}", message)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert_nothing_written()


def test_a_message_over_several_lines_is_fine(asker, solution):
    response = ask(
        client_for(asker), solution, f"member-{asker.member.pk}", "Hello,\r\n\r\nWe\tcan."
    )
    assert response.status_code == 302
    assert Introduction.objects.get().message == "Hello,\r\n\r\nWe\tcan."


def test_an_introduction_to_oneself_is_refused(asker):
    own = TechnologySolutionFactory(member=asker.member)
    response = ask(client_for(asker), own, f"member-{asker.member.pk}")
    assert "you need no introduction to it" in response.content.decode()
    assert_nothing_written()


def test_a_focal_point_cannot_ask_about_their_own_partnerships_need():
    focal = FocalPointFactory()
    need = TechnologyNeedFactory(partnership=focal.partnership)
    response = client_for(focal.user).post(
        reverse("technology:introduction_need", args=[need.pk]),
        {"on_behalf_of": f"partnership-{focal.partnership.pk}", "message": "Hello"},
    )
    assert "you need no introduction to it" in response.content.decode()
    assert_nothing_written()


def test_a_duplicate_pending_introduction_is_refused(asker, solution):
    client = client_for(asker)
    assert ask(client, solution, f"member-{asker.member.pk}").status_code == 302
    BackgroundJob.objects.all().delete()
    again = ask(client, solution, f"member-{asker.member.pk}")
    assert "has already asked for an introduction" in again.content.decode()
    assert_nothing_written(count=1)
    # Once answered, asking again is allowed.
    Introduction.objects.update(status="declined", answered_at=timezone.now())
    assert ask(client, solution, f"member-{asker.member.pk}").status_code == 302


def test_the_database_refuses_a_duplicate_pending_introduction_too(asker, solution):
    IntroductionFactory(requester_member=asker.member, solution=solution)
    with pytest.raises(IntegrityError):
        IntroductionFactory(requester_member=asker.member, solution=solution)


@pytest.mark.parametrize("on_behalf_of", ["member", "partnership", "member-999999", "nonsense"])
def test_another_members_id_is_a_form_error(asker, solution, on_behalf_of):
    other_member, other_partnership = MemberFactory(), FocalPointFactory().partnership
    value = {
        "member": f"member-{other_member.pk}",
        "partnership": f"partnership-{other_partnership.pk}",
    }
    response = ask(client_for(asker), solution, value.get(on_behalf_of, on_behalf_of))
    assert response.status_code == 200
    assert "Choose one of your own members or partnerships" in response.content.decode()
    assert_nothing_written()


def test_an_editor_of_several_members_chooses_and_sees_only_their_own(asker, solution):
    second = MemberFactory(name="Second Member Ltd")
    asker.member_roles.create(member=second)
    stranger = MemberFactory(name="Stranger Corp")
    client = client_for(asker)
    page = client.get(
        reverse("technology:introduction_solution", args=[solution.slug])
    ).content.decode()
    assert "Second Member Ltd" in page and asker.member.name in page
    assert "Stranger Corp" not in page and f"member-{stranger.pk}" not in page
    assert ask(client, solution, f"member-{second.pk}").status_code == 302
    assert Introduction.objects.get().requester_member == second


def test_the_eleventh_introduction_in_a_day_answers_429(asker, solution):
    IntroductionFactory.create_batch(10, requested_by=asker, requester_member=asker.member)
    response = ask(client_for(asker), solution, f"member-{asker.member.pk}")
    assert response.status_code == 429
    assert "at most 10 introductions in 24 hours" in response.content.decode()
    assert Introduction.objects.count() == 10
    assert not BackgroundJob.objects.exists()


def test_introductions_older_than_a_day_do_not_count(asker, solution):
    IntroductionFactory.create_batch(10, requested_by=asker, requester_member=asker.member)
    Introduction.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert ask(client_for(asker), solution, f"member-{asker.member.pk}").status_code == 302


def test_someone_with_no_role_is_told_who_may_ask(solution):
    client = client_for(UserFactory())
    page = client.get(reverse("technology:introduction_solution", args=[solution.slug]))
    assert page.status_code == 200
    assert "Who may ask for an introduction" in page.content.decode()
    posted = ask(client, solution, "member-1")
    assert "Who may ask for an introduction" in posted.content.decode()
    assert_nothing_written()


def test_a_need_of_another_kind_answers_404(asker):
    need = SupportRequestFactory(kind="technical_study")
    response = client_for(asker).get(reverse("technology:introduction_need", args=[need.pk]))
    assert response.status_code == 404


def test_a_solution_the_user_may_not_see_answers_404(asker):
    hidden = TechnologySolutionFactory(visibility="secretariat")
    response = ask(client_for(asker), hidden, f"member-{asker.member.pk}")
    assert response.status_code == 404
    assert_nothing_written()


def test_anonymous_visitors_are_sent_to_sign_in(solution):
    response = Client().get(reverse("technology:introduction_solution", args=[solution.slug]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_another_members_introduction_answers_404_and_is_logged(asker, caplog):
    introduction = IntroductionFactory()
    client = client_for(asker)
    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert client.get(introduction.get_absolute_url()).status_code == 404
        for name, data in [
            ("introduction_answer", {"decision": "accept"}),
            ("introduction_withdraw", {}),
        ]:
            assert (
                client.post(reverse(f"technology:{name}", args=[introduction.pk]), data).status_code
                == 404
            )
    assert f"Refused introduction {introduction.pk}" in caplog.text
    introduction.refresh_from_db()
    assert introduction.status == "pending"
    assert not BackgroundJob.objects.exists()


def test_the_other_side_cannot_withdraw(asker, solution):
    introduction = IntroductionFactory(
        requested_by=asker, requester_member=asker.member, solution=solution
    )
    provider = EditorFactory(member=solution.member)
    response = client_for(provider).post(
        reverse("technology:introduction_withdraw", args=[introduction.pk]), follow=True
    )
    assert "people may withdraw this introduction" in response.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == "pending"


@pytest.mark.parametrize("status", ["closed", "withdrawn"])
def test_a_finished_need_takes_no_introduction(asker, status):
    need = TechnologyNeedFactory(status=status)
    response = client_for(asker).post(
        reverse("technology:introduction_need", args=[need.pk]),
        {"on_behalf_of": f"member-{asker.member.pk}", "message": "Hello"},
    )
    assert "it takes no more introductions" in response.content.decode()
    assert_nothing_written()
