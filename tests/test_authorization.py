"""Walk every URL of the portal and check it against its declared access class.

A new URL fails here until it is declared (``leadit.access``) and, if it takes arguments,
until ``URL_EXAMPLES`` below says how to build one. Later issues add rows, never skip.
"""

from dataclasses import dataclass
from datetime import timedelta
from fnmatch import fnmatchcase

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from leadit.access import Access, access_of
from leadit.invitations import hash_invitation_key
from leadit.optouts import opt_out_token
from members.models import Invitation
from partnerships.models import FocalPointInvitation, Visibility
from tests.factories.members import (
    EditorFactory,
    ImpactStoryFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
)
from tests.factories.partnerships import (
    FocalPointFactory,
    PipelineProjectFactory,
    SupportCommitmentFactory,
    SupportOfferFactory,
    SupportRequestFactory,
)
from tests.factories.publications import (
    BriefFactory,
    NewsletterIssueFactory,
    SubscriberFactory,
)
from tests.factories.summits import (
    EventDocumentFactory,
    EventFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from tests.factories.technology import (
    CoDevelopmentProjectFactory,
    GuidelineVersionFactory,
    InnovationProgrammeFactory,
    IntroductionFactory,
    TechnicalGuidelineFactory,
    TechnologyNeedFactory,
    TechnologySolutionFactory,
)
from tests.factories.tracker import GuideStepFactory, IndustrialProjectFactory, RoadmapFactory
from tests.factories.workplan import WorkplanFactory


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "namespace:<unnamed route>"
    pattern: str
    callback: object
    has_arguments: bool


def _walk(patterns, namespace="", prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _walk(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<{route}>"
            full_name = f"{namespace}:{name}" if namespace else name
            yield Route(full_name, route, entry.callback, bool(entry.pattern.regex.groups))


ROUTES = list(_walk(get_resolver().url_patterns))

# How to build a URL that takes arguments: name → kwargs (a callable gets the test's
# ``world`` dict of objects). Admin and allauth URLs with arguments get harmless values:
# a missing object or key must still be refused to the wrong people.
URL_EXAMPLES: dict[str, object] = {
    "admin:app_list": lambda world: {"app_label": "auth"},
    "admin:view_on_site": lambda world: {"content_type_id": 1, "object_id": 1},
    "account_confirm_email": lambda world: {"key": "not-a-real-key"},
    "account_reset_password_from_key": lambda world: {"uidb36": "1", "key": "not-a-key"},
    "admin:auth_user_password_change": lambda world: {"id": world["member_user"].pk},
    "members:invitation": lambda world: {"key": world["invitation_key"]},
    "members:detail": lambda world: {"slug": world["member"].slug},
    **{
        f"members:{name}": lambda world: {"slug": world["member"].slug}
        for name in ["edit", "edit_profile", "edit_commitments", "edit_pillars", "update_new"]
        + ["story_new", "edit_preview", "edit_history"]
    },
    **{
        f"members:{name}": lambda world: {"slug": world["member"].slug, "pk": world["update"].pk}
        for name in ["update_edit", "update_publish", "update_withdraw"]
    },
    "members:story_edit": lambda world: {"slug": world["member"].slug, "pk": world["story"].pk},
    **{
        f"members:{name}": lambda world: {"slug": world["milestone"].slug}
        for name in ["milestone", "milestone_pdf", "milestone_pdf_render"]
    },
    "members:milestone_export": lambda world: {"slug": world["milestone"].slug, "fmt": "csv"},
    "members:gca_export": lambda world: {"year": 2025},
    "tracker:export": lambda world: {"fmt": "csv"},
    "tracker:roadmap": lambda world: {"slug": world["roadmap"].slug},
    "tracker:country": lambda world: {"iso2": "SE"},
    "tracker:project": lambda world: {"slug": world["project"].slug},
    "tracker:guide_step": lambda world: {"slug": world["guide_step"].slug},
    **{
        f"workplan:{name}": lambda world: {"slug": world["workplan"].slug}
        for name in ["detail", "matrix", "matrix_xlsx", "matrix_pdf", "matrix_toggle"]
    },
    "summits:working_group": lambda world: {"slug": world["working_group"].slug},
    **{
        f"summits:{name}": lambda world: {"slug": world["event"].slug}
        for name in ["detail", "event_ics", "register"]
    },
    "summits:document": lambda world: {"slug": world["event"].slug, "pk": world["document"].pk},
    "summits:cancel_registration": lambda world: {
        "slug": world["event"].slug,
        "pk": world["registration"].pk,
    },
    "summits:attendees": lambda world: {"slug": world["event"].slug, "fmt": "csv"},
    # A public prefix, no such file: 404 for everyone (tests/test_embedded_default.py serves
    # a real logo and refuses the private prefix).
    "media": lambda world: {"path": "members/logos/no-such-logo.png"},
    "publications:detail": lambda world: {"slug": world["brief"].slug},
    "publications:pdf": lambda world: {"slug": world["brief"].slug},
    "publications:confirm_subscription": lambda world: {"token": "not-a-real-token"},
    "publications:unsubscribe": lambda world: {"token": world["subscriber"].unsubscribe_token},
    # The newsletter issue's own admin pages (a draft issue: sending it is refused politely).
    **{
        f"admin:publications_newsletterissue_{page}": lambda world: {"object_id": world["issue"].pk}
        for page in ("assemble", "publish", "send_test", "send", "preview_email")
    },
    "admin:publications_brief_render": lambda world: {"object_id": world["brief"].pk},
    # Partnerships: a focal point's pages of a partnership member_user does not keep; the
    # need is secretariat-only (member_user may not see it, so may not answer it); the
    # offer and the commitment are another member's.
    "partnerships:invitation": lambda world: {"key": world["invitation_key"]},
    **{
        f"partnerships:{name}": lambda world: {"iso2": world["partnership_iso2"]}
        for name in ["manage", "manage_request_new", "manage_project_new"]
        + ["manage_measurement_new"]
    },
    **{
        f"partnerships:{name}": lambda world: {
            "iso2": world["partnership_iso2"],
            "pk": world["need"].pk,
        }
        for name in ["manage_request", "manage_request_withdraw"]
    },
    **{
        f"partnerships:{name}": lambda world: {
            "iso2": world["partnership_iso2"],
            "slug": world["pipeline_project"].slug,
        }
        for name in ["manage_project", "manage_project_stage"]
    },
    "partnerships:offer_edit": lambda world: {"pk": world["offer"].pk},
    "partnerships:we_can_help": lambda world: {"pk": world["need"].pk},
    "partnerships:commitment": lambda world: {"pk": world["commitment"].pk},
    "partnerships:project": lambda world: {"slug": world["pipeline_project"].slug},
    "partnerships:pipeline_export": lambda world: {"fmt": "csv"},
    "partnerships:partnership": lambda world: {"iso2": world["partnership_iso2"]},
    "partnerships:need": lambda world: {"pk": world["public_need"].pk},
    "partnerships:offer": lambda world: {"pk": world["offer"].pk},
    "partnerships:needs_export": lambda world: {"fmt": "csv"},
    "partnerships:offers_export": lambda world: {"fmt": "csv"},
    "admin:partnerships_partnership_factsheet": lambda world: {
        "object_id": world["need"].partnership_id
    },
    "admin:partnerships_partnership_stage": lambda world: {
        "object_id": world["need"].partnership_id
    },
    "admin:partnerships_supportrequest_matches": lambda world: {"object_id": world["need"].pk},
    "admin:partnerships_supportrequest_accept_match": lambda world: {
        "object_id": world["need"].pk,
        "offer_id": world["offer"].pk,
    },
    # Technology: the solution, project and guideline are another member's (member_user
    # may read the public pages but not edit them); the introduction is between two others.
    "technology:export": lambda world: {"fmt": "csv"},
    "technology:technology": lambda world: {"slug": world["solution"].technology.slug},
    **{
        f"technology:{name}": lambda world: {"slug": world["solution"].slug}
        for name in ("solution", "solution_edit", "introduction_solution")
    },
    **{
        f"technology:{name}": lambda world: {"slug": world["codev_project"].slug}
        for name in ("project", "project_edit")
    },
    **{
        f"technology:{name}": lambda world: {"slug": world["guideline_version"].guideline.slug}
        for name in ("guideline", "guideline_edit", "guideline_version_new")
    },
    "technology:guideline_download": lambda world: {
        "slug": world["guideline_version"].guideline.slug,
        "pk": world["guideline_version"].pk,
    },
    "technology:programme": lambda world: {"slug": world["programme"].slug},
    "technology:introduction_need": lambda world: {"pk": world["technology_need"].pk},
    **{
        f"technology:{name}": lambda world: {"pk": world["introduction"].pk}
        for name in ("introduction", "introduction_answer", "introduction_withdraw")
    },
    "mail_opt_out": lambda world: {
        "token": opt_out_token(world["member_user"], "technology-needs-digest")
    },
    # No such factsheet: a harmless id that must still be refused to the wrong people.
    "admin:partnerships_factsheet_download": lambda world: {"object_id": "999999"},
    # No such document: a harmless id that must still be refused to the wrong people.
    **{
        f"admin:publications_rendereddocument_{page}": lambda world: {"object_id": "999999"}
        for page in ("retry", "download")
    },
}


def _is_admin_object_url(route: Route) -> bool:
    return route.name.startswith("admin:") and route.name.endswith(
        ("_change", "_delete", "_history")
    )


def _has_example(route: Route) -> bool:
    return not route.has_arguments or route.name in URL_EXAMPLES or _is_admin_object_url(route)


def _url(route: Route, world) -> str:
    if not route.has_arguments:
        kwargs = {}
    elif route.name in URL_EXAMPLES:
        kwargs = URL_EXAMPLES[route.name](world)
    elif route.name.endswith("_simple_history"):  # simple_history: unnamed id, history id
        return reverse(route.name, args=["1", "1"])
    else:
        kwargs = {"object_id": "1"}
    return reverse(route.name, kwargs=kwargs)


def test_every_url_declares_its_access_class():
    undeclared = [r.name for r in ROUTES if access_of(r.name.split(":<")[0], r.callback) is None]
    # Unnamed routes are declared through their namespace ("admin:*").
    undeclared = [
        name
        for name in undeclared
        if not (":<" in name and access_of(name.split(":<")[0] + ":*", None))
    ]
    assert undeclared == [], f"URLs without an access class: {undeclared}"


def test_every_url_with_arguments_has_an_example():
    missing = [r.name for r in ROUTES if "<" not in r.name and not _has_example(r)]
    assert missing == [], f"Add these to URL_EXAMPLES: {missing}"


def _is_sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        ("/accounts/login/", "/admin/login/")
    )


def _allowed(response) -> bool:
    if response.status_code in (200, 204, 405):
        return True
    if response.status_code in (301, 302, 303):
        return not _is_sent_to_login(response)
    return False


def _refused(response) -> bool:
    return response.status_code in (403, 404) or _is_sent_to_login(response)


REQUESTABLE = [r for r in ROUTES if "<" not in r.name]

# Answers that are right for these URLs although they differ from their class's rule.
VISITORS = ("anonymous", "other member", "staff")
SPECIAL_CASES = {
    # A stage of signing in: without a sign-in under way it sends you to sign in.
    ("mfa_authenticate", "anonymous"): _is_sent_to_login,
    # The other member's user has no authenticator: there is nothing to show or remove.
    ("mfa_deactivate_totp", "other member"): lambda r: r.status_code == 404,
    ("mfa_view_recovery_codes", "other member"): lambda r: r.status_code == 404,
    ("mfa_download_recovery_codes", "other member"): lambda r: r.status_code == 404,
    # Needs query parameters naming a model with autocomplete fields; bare, it is refused.
    ("admin:autocomplete", "staff"): lambda r: r.status_code == 403,
    # The example object does not exist.
    ("admin:view_on_site", "staff"): lambda r: r.status_code == 404,
    # Jobs are created by the portal, never by hand.
    ("admin:leadit_backgroundjob_add", "staff"): lambda r: r.status_code == 403,
    # Registrations are made by members on the event page; reminders by the daily job.
    ("admin:summits_registration_add", "staff"): lambda r: r.status_code == 403,
    ("admin:summits_deadlinereminder_add", "staff"): lambda r: r.status_code == 403,
    # Milestone reminders are claimed and sent by the daily job: a record, never hand-made.
    ("admin:members_milestonereminder_add", "staff"): lambda r: r.status_code == 403,
    ("admin:members_milestonereminder_delete", "staff"): lambda r: r.status_code == 403,
    # No progress report PDF has been rendered for the example milestone: 404 for everyone.
    **{("members:milestone_pdf", who): lambda r: r.status_code == 404 for who in VISITORS},
    # Subscribers join by the public form or as member contacts; deliveries are written by
    # the send: neither is added by hand.
    ("admin:publications_subscriber_add", "staff"): lambda r: r.status_code == 403,
    ("admin:publications_delivery_add", "staff"): lambda r: r.status_code == 403,
    ("admin:publications_delivery_delete", "staff"): lambda r: r.status_code == 403,
    # Rendered PDFs are made by publishing and re-rendering, and kept: never added or
    # deleted by hand. The example document (retry, download) does not exist.
    ("admin:publications_rendereddocument_add", "staff"): lambda r: r.status_code == 403,
    ("admin:publications_rendereddocument_delete", "staff"): lambda r: r.status_code == 403,
    ("admin:publications_rendereddocument_retry", "staff"): lambda r: r.status_code == 404,
    ("admin:publications_rendereddocument_download", "staff"): lambda r: r.status_code == 404,
    # Factsheets are rendered from their partnership's page and digests by the weekly job:
    # never added by hand. The example factsheet (download) does not exist.
    ("admin:partnerships_factsheet_add", "staff"): lambda r: r.status_code == 403,
    ("admin:partnerships_secretariatdigest_add", "staff"): lambda r: r.status_code == 403,
    ("admin:partnerships_factsheet_download", "staff"): lambda r: r.status_code == 404,
    # Introductions are asked for by members and focal points on the technology pages, and
    # the monthly needs digest records its own sends: neither is added by hand.
    ("admin:technology_introduction_add", "staff"): lambda r: r.status_code == 403,
    ("admin:technology_needsdigestsent_add", "staff"): lambda r: r.status_code == 403,
    # Newsletter sections are added on their issue's page, not on their own.
    ("admin:publications_newslettersection_add", "staff"): lambda r: r.status_code == 403,
    # simple_history's history pages answer 404 for an object that does not exist.
    ("admin:*_history", "staff"): lambda r: r.status_code == 404 or _allowed(r),
    **{("media", who): lambda r: r.status_code == 404 for who in VISITORS},
    # No PDF has been rendered for the example brief: 404 for everyone, staff included.
    **{("publications:pdf", who): lambda r: r.status_code == 404 for who in VISITORS},
    # A made-up confirmation token is refused with a page that says so.
    **{
        ("publications:confirm_subscription", who): lambda r: r.status_code in (200, 400, 404)
        for who in VISITORS
    },
}


@pytest.fixture
def world(member_user, staff_user, media_root):
    """Objects the example URLs point at. ``member`` belongs to its own editor, so
    ``member_user`` (an editor of another member) is "another member's user"."""
    member = EditorFactory().member
    invitation_key = "harness-invitation-key"
    Invitation.objects.create(
        member=member,
        email="invited@member.example",
        key_hash=hash_invitation_key(invitation_key),
        expires_at=timezone.now() + timedelta(days=1),
    )
    FocalPointInvitation.objects.create(
        partnership=(focal := FocalPointFactory()).partnership,
        email="focal@partner.example",
        key_hash=hash_invitation_key(invitation_key),
        expires_at=timezone.now() + timedelta(days=1),
    )
    need = SupportRequestFactory(partnership=focal.partnership, visibility=Visibility.SECRETARIAT)
    event = EventFactory()  # public
    solution = TechnologySolutionFactory(member=member)
    return {
        "solution": solution,
        "codev_project": CoDevelopmentProjectFactory(lead_member=member),
        "guideline_version": GuidelineVersionFactory(
            guideline=TechnicalGuidelineFactory(member=member),
            body="",
            pdf=ContentFile(b"%PDF-1.4 harness", name="harness.pdf"),
            render_status="uploaded",
        ),
        "programme": InnovationProgrammeFactory(),
        "technology_need": TechnologyNeedFactory(partnership=focal.partnership),
        "introduction": IntroductionFactory(solution=solution),
        "partnership_iso2": focal.partnership.country.code.lower(),
        "need": need,
        "public_need": SupportRequestFactory(partnership=focal.partnership),
        "pipeline_project": PipelineProjectFactory(partnership=focal.partnership),
        "offer": SupportOfferFactory(member=member, institution=None),
        "commitment": SupportCommitmentFactory(request=need, member=member, institution=None),
        "member_user": member_user,
        "staff_user": staff_user,
        "member": member,
        "update": ProgressUpdateFactory(member=member),
        "milestone": MilestoneFactory(slug="harness-cop"),  # no PDF rendered (404)
        "story": ImpactStoryFactory(member=member),
        "invitation_key": invitation_key,
        "roadmap": RoadmapFactory(),
        "project": IndustrialProjectFactory(),
        "guide_step": GuideStepFactory(),
        "workplan": WorkplanFactory(),  # published
        "event": event,
        "document": EventDocumentFactory(event=event),  # public, a link
        "working_group": WorkingGroupFactory(members=[member]),
        "registration": RegistrationFactory(event=event, member=member),
        "brief": BriefFactory(),  # published; no PDF rendered (its .pdf answers 404)
        "subscriber": SubscriberFactory(),
        "issue": NewsletterIssueFactory(),  # a draft newsletter issue
    }


@pytest.mark.django_db
@pytest.mark.parametrize("route", REQUESTABLE, ids=lambda r: r.name)
def test_url_answers_each_kind_of_visitor_as_declared(route, client, world):
    access = access_of(route.name, route.callback)
    member_user, staff_user = world["member_user"], world["staff_user"]
    url = _url(route, world)

    anonymous = client.get(url)
    client.force_login(member_user)
    other_member = client.get(url)
    client.force_login(staff_user)
    staff = client.get(url)

    if access == Access.PUBLIC:
        expected = {"anonymous": _allowed, "other member": _allowed, "staff": _allowed}
    elif access == Access.AUTHENTICATED:
        expected = {"anonymous": _is_sent_to_login, "other member": _allowed, "staff": _allowed}
    else:  # member-of-object and staff: a user of another member is refused alike
        expected = {"anonymous": _is_sent_to_login, "other member": _refused, "staff": _allowed}
    outcomes = {"anonymous": anonymous, "other member": other_member, "staff": staff}
    for response in outcomes.values():
        response.close()  # a file download holds its file open until closed
    expected.update(
        {
            who: check
            for (name, who), check in SPECIAL_CASES.items()
            if fnmatchcase(route.name, name)
        }
    )
    wrong = {
        who: f"{response.status_code} {response.get('Location', '')}"
        for who, response in outcomes.items()
        if not expected[who](response)
    }
    assert wrong == {}, f"{url} ({access}) answered wrongly: {wrong}"
