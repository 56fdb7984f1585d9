"""Introductions, the whole way: a member editor asks about a solution, the provider's
editors accept, and only then does each side see the other's contact details, on the page
and in the e-mails the worker sends. Declines, withdrawals, focal points on either side,
the secretariat answering for a partner institution, and the list page."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leadit.celery import app
from leadit.models import BackgroundJob
from technology.models import Introduction
from technology.services.introductions import ask_for_introduction
from tests.factories.members import EditorFactory
from tests.factories.partnerships import FocalPointFactory, PartnerInstitutionFactory
from tests.factories.technology import (
    IntroductionFactory,
    TechnologyNeedFactory,
    TechnologySolutionFactory,
)

pytestmark = pytest.mark.django_db

SECRETARIAT = "secretariat@leadit.example"


def run_jobs() -> None:
    """What the worker would do with the jobs queued so far (in the test's transaction)."""
    for job in BackgroundJob.objects.filter(status="queued").order_by("pk"):
        app.tasks[job.task_name].apply(kwargs={"job_id": job.pk, **job.arguments})
        job.refresh_from_db()
        assert job.status == "done", job.last_error


def main_of(response) -> str:
    """The page's own content, without the header (which names the signed-in user)."""
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _secretariat(settings):
    settings.ADMIN_NOTIFICATION_EMAILS = [SECRETARIAT]


@pytest.fixture
def provider():
    return EditorFactory(first_name="Priya", last_name="Provider", email="priya@provider.example")


@pytest.fixture
def solution(provider):
    return TechnologySolutionFactory(
        member=provider.member,
        name="Calcined clay kiln",
        contact_name="Licensing desk",
        contact_email="licensing@provider.example",
    )


@pytest.fixture
def asker():
    return EditorFactory(first_name="Sam", last_name="Asker", email="sam@asker.example")


@pytest.fixture
def focal():
    return FocalPointFactory(
        user__first_name="Fatuma", user__last_name="Focal", user__email="fatuma@kenya.example",
        partnership__country="KE", partnership__name="Kenya",
    )  # fmt: skip


def ask_solution(client, solution, on_behalf_of, message="We would like a licence."):
    return client.post(
        reverse("technology:introduction_solution", args=[solution.slug]),
        {"on_behalf_of": on_behalf_of, "message": message},
    )


def test_contacts_are_shared_only_once_accepted(asker, provider, solution):
    asking, answering = client_for(asker), client_for(provider)
    response = ask_solution(asking, solution, f"member-{asker.member.pk}")
    introduction = Introduction.objects.get()
    assert response.status_code == 302 and response["Location"] == introduction.get_absolute_url()
    assert (introduction.status, introduction.requester_member) == ("pending", asker.member)

    run_jobs()
    to_provider, copy = sorted(mail.outbox, key=lambda m: m.to)
    assert to_provider.to == ["priya@provider.example"] and copy.to == [SECRETARIAT]
    assert "We would like a licence." in to_provider.body
    for message in mail.outbox:
        assert "sam@asker.example" not in message.body
        assert "licensing@provider.example" not in message.body

    for client in (asking, answering):
        page = main_of(client.get(introduction.get_absolute_url()))
        assert "will be shared with both sides when both have accepted" in page
        assert "sam@asker.example" not in page and "licensing@provider.example" not in page
        assert "Sam Asker" not in page and "Licensing desk" not in page
    assert (
        "Accept and share contacts"
        in answering.get(introduction.get_absolute_url()).content.decode()
    )

    mail.outbox.clear()
    answer = reverse("technology:introduction_answer", args=[introduction.pk])
    response = answering.post(answer, {"decision": "accept", "note": "Glad to talk."})
    assert response.status_code == 302
    introduction.refresh_from_db()
    assert (introduction.status, introduction.answered_by) == ("accepted", provider)

    run_jobs()
    by_recipient = {tuple(message.to): message.body for message in mail.outbox}
    assert "licensing@provider.example" in by_recipient[("sam@asker.example",)]
    assert "sam@asker.example" in by_recipient[("priya@provider.example",)]
    assert "Glad to talk." in by_recipient[("sam@asker.example",)]

    for client in (asking, answering):
        page = main_of(client.get(introduction.get_absolute_url()))
        assert "sam@asker.example" in page and "licensing@provider.example" in page
        assert "Sam Asker" in page and "Accepted" in page and "Asked" in page


def test_a_decline_is_emailed_to_the_requester_without_contacts(asker, focal):
    need = TechnologyNeedFactory(partnership=focal.partnership, title="Low-carbon cement kiln")
    introduction = ask_for_introduction(
        user=asker, member=asker.member, need=need, message="Our member builds such kilns."
    )
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == ["fatuma@kenya.example", SECRETARIAT]
    mail.outbox.clear()

    response = client_for(focal.user).post(
        reverse("technology:introduction_answer", args=[introduction.pk]),
        {"decision": "decline", "note": "We chose another supplier."},
    )
    assert response.status_code == 302
    run_jobs()
    (message,) = mail.outbox
    assert message.to == ["sam@asker.example"]
    assert (
        "We chose another supplier." in message.body and "Low-carbon cement kiln" in message.subject
    )
    assert "fatuma@kenya.example" not in message.body
    page = main_of(client_for(asker).get(introduction.get_absolute_url()))
    assert "no contact details are shared" in page and "fatuma@kenya.example" not in page
    assert "Declined" in page


def test_the_requester_withdraws_and_the_other_side_is_told(asker, provider, solution):
    introduction = ask_for_introduction(
        user=asker, member=asker.member, solution=solution, message="A licence, please."
    )
    run_jobs()
    mail.outbox.clear()
    asking = client_for(asker)
    page = asking.get(introduction.get_absolute_url()).content.decode()
    assert "Withdraw the request" in page and "Accept and share contacts" not in page

    withdraw = reverse("technology:introduction_withdraw", args=[introduction.pk])
    response = asking.post(withdraw, follow=True)
    assert "Your request is withdrawn" in response.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == "withdrawn"
    run_jobs()
    (message,) = mail.outbox
    assert message.to == ["priya@provider.example"] and "withdrawn" in message.subject

    # Only pending introductions move: a second withdrawal, or an answer now, is refused.
    again = asking.post(withdraw, follow=True).content.decode()
    assert "already withdrawn" in again and "cannot be withdrawn now" in again
    late = client_for(provider).post(
        reverse("technology:introduction_answer", args=[introduction.pk]), {"decision": "accept"}
    )
    assert late.status_code == 400 and "cannot be answered now" in late.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == "withdrawn"
    steps = client_for(provider).get(introduction.get_absolute_url()).content.decode()
    assert "Withdrawn" in steps and "Asked" in steps


def test_a_second_answer_gets_a_clear_message(asker, provider, solution):
    introduction = IntroductionFactory(
        requested_by=asker, requester_member=asker.member, solution=solution
    )
    answering = client_for(provider)
    answer = reverse("technology:introduction_answer", args=[introduction.pk])
    answering.post(answer, {"decision": "decline"})
    second = answering.post(answer, {"decision": "accept"})
    assert second.status_code == 400
    assert "already declined" in second.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == "declined"
    assert (
        BackgroundJob.objects.filter(task_name="technology.notify_introduction_declined").count()
        == 1
    )
    assert not BackgroundJob.objects.filter(
        task_name="technology.notify_introduction_accepted"
    ).exists()


def test_answers_are_post_only(asker, provider, solution):
    introduction = IntroductionFactory(
        requested_by=asker, requester_member=asker.member, solution=solution
    )
    response = client_for(provider).get(
        reverse("technology:introduction_answer", args=[introduction.pk])
    )
    assert response.status_code == 405
    introduction.refresh_from_db()
    assert introduction.status == "pending"


def test_the_requester_cannot_answer_their_own_request(asker, solution):
    introduction = IntroductionFactory(
        requested_by=asker, requester_member=asker.member, solution=solution
    )
    response = client_for(asker).post(
        reverse("technology:introduction_answer", args=[introduction.pk]), {"decision": "accept"}
    )
    assert response.status_code == 400
    assert f"Only {solution.member}" in response.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == "pending"


def test_a_focal_point_asks_about_a_solution_and_answers_a_need(asker, provider, solution, focal):
    focal_client = client_for(focal.user)
    page = focal_client.get(reverse("technology:introduction_solution", args=[solution.slug]))
    assert "On behalf of <strong>Kenya</strong>" in page.content.decode()
    response = ask_solution(focal_client, solution, f"partnership-{focal.partnership.pk}")
    assert response.status_code == 302
    asked = Introduction.objects.get()
    assert (asked.requester_partnership, asked.requester_member) == (focal.partnership, None)
    assert (
        "Waiting for your answer"
        in client_for(provider).get(reverse("technology:introductions")).content.decode()
    )

    need = TechnologyNeedFactory(partnership=focal.partnership)
    introduction = ask_for_introduction(
        user=asker, member=asker.member, need=need, message="We can build it."
    )
    listing = focal_client.get(reverse("technology:introductions")).content.decode()
    assert "Waiting for your answer" in listing and "Asked by your side" in listing
    focal_client.post(
        reverse("technology:introduction_answer", args=[introduction.pk]), {"decision": "accept"}
    )
    introduction.refresh_from_db()
    assert introduction.status == "accepted"
    page = client_for(asker).get(introduction.get_absolute_url()).content.decode()
    # A need's contact is the focal point who accepted.
    assert "fatuma@kenya.example" in page and "Fatuma Focal" in page


def test_the_secretariat_answers_for_a_partner_institution(asker, staff_user):
    solution = TechnologySolutionFactory(
        member=None, institution=PartnerInstitutionFactory(name="Demo Research Institute")
    )
    introduction = ask_for_introduction(
        user=asker, member=asker.member, solution=solution, message="Demonstration site access?"
    )
    run_jobs()
    # The secretariat is the other side: one e-mail, no separate copy.
    (message,) = mail.outbox
    assert message.to == [SECRETARIAT]
    mail.outbox.clear()
    staff = client_for(staff_user)
    assert (
        "Waiting for your answer" in staff.get(reverse("technology:introductions")).content.decode()
    )
    staff.post(
        reverse("technology:introduction_answer", args=[introduction.pk]), {"decision": "accept"}
    )
    introduction.refresh_from_db()
    assert (introduction.status, introduction.answered_by) == ("accepted", staff_user)
    run_jobs()
    to_asker = next(m for m in mail.outbox if m.to == ["sam@asker.example"])
    assert staff_user.email in to_asker.body and "Demo Research Institute" in to_asker.body


def test_the_list_shows_each_users_introductions_and_staff_all(
    asker, provider, solution, staff_user
):
    mine = IntroductionFactory(requested_by=asker, requester_member=asker.member, solution=solution)
    other = IntroductionFactory()
    listing = client_for(asker).get(reverse("technology:introductions")).content.decode()
    assert mine.get_absolute_url() in listing and other.get_absolute_url() not in listing
    assert "Asked by your side" in listing
    everything = client_for(staff_user).get(reverse("technology:introductions")).content.decode()
    assert mine.get_absolute_url() in everything and other.get_absolute_url() in everything


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_query_count_is_flat(asker):
    url = reverse("technology:introductions")
    client = client_for(asker)
    IntroductionFactory.create_batch(3, requested_by=asker, requester_member=asker.member)
    few = _count_queries(client, url)
    IntroductionFactory.create_batch(27, requested_by=asker, requester_member=asker.member)
    assert _count_queries(client, url) == few


def test_the_detail_query_count_is_flat_with_history(asker, provider, solution):
    introduction = IntroductionFactory(
        requested_by=asker, requester_member=asker.member, solution=solution
    )
    client = client_for(provider)
    few = _count_queries(client, introduction.get_absolute_url())
    for note in range(10):  # edits that change no status are not steps, but are rows
        introduction.answer_note = f"draft {note}"
        introduction.save()
    assert _count_queries(client, introduction.get_absolute_url()) == few


def test_a_technology_need_page_links_to_an_introduction(asker, focal):
    need = TechnologyNeedFactory(partnership=focal.partnership)
    page = client_for(asker).get(reverse("partnerships:need", args=[need.pk])).content.decode()
    assert reverse("technology:introduction_need", args=[need.pk]) in page
    anonymous = Client().get(reverse("partnerships:need", args=[need.pk])).content.decode()
    assert "Ask for an introduction" not in anonymous


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_request_to_the_other_side(celery_worker, settings):
    settings.ADMIN_NOTIFICATION_EMAILS = [SECRETARIAT]
    provider = EditorFactory(email="priya@provider.example")
    asker = EditorFactory()
    solution = TechnologySolutionFactory(member=provider.member)
    ask_for_introduction(user=asker, member=asker.member, solution=solution, message="Hello.")
    job = BackgroundJob.objects.get(task_name="technology.notify_introduction_asked")
    for _ in range(100):
        job.refresh_from_db()
        if job.status not in ("queued", "running"):
            break
        import time

        time.sleep(0.1)
    assert job.status == "done", job.last_error
    assert sorted(m.to[0] for m in mail.outbox) == ["priya@provider.example", SECRETARIAT]
