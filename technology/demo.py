"""Demo data for the technology app (``seed_demo`` finds it after tracker, members and
partnerships, whose demo records it builds on).

Everything it writes is invented and flagged ``is_demo``, with names ending in "(demo)":
solutions of the demo companies and demo partner institutions, co-development projects,
innovation programmes with calls (open and closed relative to the day it is seeded),
technical guidelines with Markdown versions (rendered to PDF by the guideline job, queued
after commit: at once in the embedded default, by a worker otherwise), two introductions
and a few technology needs of the demo partnerships. The real partnership's records are
never touched. Seeding twice changes nothing: rows are matched on natural keys and saved
only when a value differs. The tables are in ``demo_data.py``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leadit.jobs import job_enqueue
from leadit.models import BackgroundJob
from members.demo import DEMO_EDITOR_EMAIL
from members.models import Member
from partnerships.demo import ensure, ensure_set
from partnerships.demo_data import FOCAL_EMAIL
from partnerships.models import PartnerInstitution, Partnership, SupportRequest, Visibility
from partnerships.money import to_usd
from tracker.models import Sector, Technology

from .demo_data import (
    CONTACT_EMAIL,
    CONTACT_NAME,
    DEMO_LABEL,
    GUIDELINE_BODY,
    GUIDELINES,
    INSTITUTIONS,
    MEMBERS,
    NEED_TECHNOLOGIES,
    NEW_NEEDS,
    OFFER_LETTERS,
    PATENT_OFFICES,
    PROGRAMMES,
    PROJECTS,
    SOLUTIONS,
)
from .models import (
    CallForProposals,
    CoDevelopmentProject,
    GuidelineVersion,
    InnovationProgramme,
    Introduction,
    PatentFamily,
    ProjectMilestone,
    ProjectParticipant,
    ProjectPublication,
    SolutionCountry,
    TechnicalGuideline,
    TechnologySolution,
)


@transaction.atomic
def seed_demo() -> list:
    providers = _providers()
    technologies = {t.slug: t for t in Technology.objects.all()}
    sectors = {s.slug: s for s in Sector.objects.all()}
    if not providers or not technologies:
        return []  # the demo members, institutions or tracker technologies are missing
    solutions = _seed_solutions(providers, technologies, sectors)
    _seed_projects(providers, technologies, sectors, solutions)
    _seed_programmes(providers, technologies, sectors)
    _seed_guidelines(providers, technologies, sectors)
    _seed_needs(technologies, sectors)
    _seed_introductions(providers, solutions)
    return []


def _providers() -> dict:
    """Demo members and demo partner institutions by their short key."""
    members = {m.slug: m for m in Member.objects.filter(is_demo=True, slug__in=MEMBERS.values())}
    institutions = {
        i.slug: i
        for i in PartnerInstitution.objects.filter(is_demo=True, slug__in=INSTITUTIONS.values())
    }
    found = {key: members[slug] for key, slug in MEMBERS.items() if slug in members}
    found |= {key: institutions[slug] for key, slug in INSTITUTIONS.items() if slug in institutions}
    return found


def _provider_fields(provider) -> dict:
    is_member = isinstance(provider, Member)
    return {
        "member": provider if is_member else None,
        "institution": None if is_member else provider,
    }


def _demo_name(name: str) -> str:
    return f"{name} (demo)"


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


# --- Solutions -----------------------------------------------------------------------------


def _ip_fields(ip: str) -> dict:
    if ip.startswith("patented"):
        return {"ip_status": TechnologySolution.IPStatus.PATENTED, "ip_licence": ""}
    if ip.startswith("open:"):
        return {"ip_status": TechnologySolution.IPStatus.OPEN_LICENCE, "ip_licence": ip[5:]}
    return {"ip_status": ip, "ip_licence": ""}


def _seed_solutions(providers: dict, technologies: dict, sectors: dict) -> list:
    """The solutions in the order of ``SOLUTIONS`` (None where the provider or the
    technology is missing, so that indexes into the list still hold)."""
    rows = []
    for n, spec in enumerate(SOLUTIONS):
        name, key, tech, sector_slugs, trl, (year, by), offers, ip, where, visibility, summary = (
            spec
        )
        provider, technology = providers.get(key), technologies.get(tech)
        if provider is None or technology is None:
            rows.append(None)
            continue
        assessor = provider if by == "self" else providers.get(by, provider)
        solution = ensure(
            TechnologySolution,
            {"slug": slugify(_demo_name(name))},
            {
                **_provider_fields(provider),
                "name": _demo_name(name),
                "technology": technology,
                "trl": trl,
                "trl_assessed_year": year,
                "trl_assessed_by": "Self-assessed (demo)" if by == "self" else assessor.name,
                "summary": summary,
                "description": _solution_text(provider, summary),
                **{field: letter in offers for letter, field in OFFER_LETTERS.items()},
                **_ip_fields(ip),
                "available_worldwide": where == "*",
                "contact_name": CONTACT_NAME,
                "contact_email": CONTACT_EMAIL,
                "visibility": visibility,
                "is_demo": True,
            },
        )
        ensure_set(solution, "sectors", [sectors[s] for s in sector_slugs if s in sectors])
        for code in [] if where == "*" else where:
            SolutionCountry.objects.get_or_create(solution=solution, country=code)
        if ip.startswith("patented"):
            _seed_patents(solution, n, int(ip.split(":")[1]))
        rows.append(solution)
    return rows


def _solution_text(provider, summary: str) -> str:
    return (
        f"*{DEMO_LABEL}.* A fictional solution of {provider.name}, to show how the "
        f"technology catalogue works.\n\n{summary}\n\n"
        "- **what is offered**: see the kinds of offer listed\n"
        "- **how to start**: ask the secretariat for an introduction"
    )


def _seed_patents(solution: TechnologySolution, n: int, count: int) -> None:
    for k in range(count):
        filed = date(2016 + (n + k) % 8, 1 + (n * 3 + k) % 12, 10)
        ensure(
            PatentFamily,
            {"solution": solution, "number": f"DEMO-{n + 1:02d}{k + 1:02d}"},
            {
                "office": PATENT_OFFICES[(n + k) % len(PATENT_OFFICES)],
                "filed_on": filed,
                "expires_on": filed.replace(year=filed.year + 20),
            },
        )


# --- Co-development projects ---------------------------------------------------------------


def _budget(amount: int, currency: str, on: date) -> dict:
    converted = to_usd(Decimal(amount), currency, on)
    return {
        "budget": Decimal(amount),
        "currency": currency,
        "budget_usd": converted.usd,
        "usd_rate": converted.rate,
    }


def _seed_projects(providers: dict, technologies: dict, sectors: dict, solutions: list) -> None:
    pipeline = _demo_pipeline_projects()
    for spec in PROJECTS:
        (title, lead, tech, sector_slugs, solution_index, status, trl_start, trl_target,
         trl_now, starts, ends, amount, currency, participants, milestones, results) = spec  # fmt: skip
        if lead not in providers or tech not in technologies:
            continue
        project = ensure(
            CoDevelopmentProject,
            {"slug": slugify(_demo_name(title))},
            {
                "title": _demo_name(title),
                "lead_member": providers[lead],
                "technology": technologies[tech],
                "solution": solutions[solution_index] if solution_index is not None else None,
                "summary": f"A fictional co-development project on {technologies[tech].name}.",
                "description": f"*{DEMO_LABEL}.* Members and partners develop and demonstrate "
                f"{technologies[tech].name.lower()} together; every figure is invented.",
                "status": status,
                "trl_start": trl_start,
                "trl_target": trl_target,
                "trl_current": trl_now,
                "starts_on": starts,
                "ends_on": ends,
                **_budget(amount, currency, starts),
                "results": f"*{DEMO_LABEL}.* {results}" if results else "",
                "pipeline_project": pipeline.get(tech),
                "visibility": Visibility.PUBLIC,
                "is_demo": True,
            },
        )
        ensure_set(project, "sectors", [sectors[s] for s in sector_slugs if s in sectors])
        for key, role in participants:
            if key in providers:
                party = {"project": project, **_provider_fields(providers[key])}
                ensure(ProjectParticipant, party, {"role": role})
        for name, due, state, completed, reached in milestones:
            ensure(
                ProjectMilestone,
                {"project": project, "title": name},
                {"due_on": due, "status": state, "completed_on": completed, "trl_reached": reached},
            )
        if status == CoDevelopmentProject.Status.COMPLETED:
            ensure(
                ProjectPublication,
                {"project": project, "url": f"https://example.org/demo/{project.slug}"},
                {"title": f"Results of the {title.lower()} (demo)", "year": ends.year},
            )


def _demo_pipeline_projects() -> dict:
    """A demo partnership's pipeline project per technology slug, to link to."""
    from partnerships.models import PipelineProject

    linked = {}
    rows = PipelineProject.objects.filter(is_demo=True, partnership__is_demo=True).order_by("pk")
    for project in rows.prefetch_related("technologies"):
        for technology in project.technologies.all():
            linked.setdefault(technology.slug, project)
    return linked


# --- Programmes and calls ------------------------------------------------------------------


def _seed_programmes(providers: dict, technologies: dict, sectors: dict) -> None:
    today = timezone.localdate()
    for name, kind, runner, techs, sector_slugs, description, calls in PROGRAMMES:
        provider = providers.get(runner)
        programme = ensure(
            InnovationProgramme,
            {"slug": slugify(_demo_name(name))},
            {
                "name": _demo_name(name),
                "kind": kind,
                "run_by": provider.name if provider else "Not recorded",
                "member": provider if isinstance(provider, Member) else None,
                "description": f"*{DEMO_LABEL}.* {description}",
                "website": "",
                "source": "",
                "is_demo": True,
            },
        )
        ensure_set(programme, "technologies", [technologies[t] for t in techs if t in technologies])
        ensure_set(programme, "sectors", [sectors[s] for s in sector_slugs if s in sectors])
        for title, opens, deadline in calls:
            ensure(
                CallForProposals,
                {"programme": programme, "title": _demo_name(title)},
                {
                    "description": f"*{DEMO_LABEL}.* A fictional call of {programme.name}.",
                    "opens_on": today + timedelta(days=opens),
                    "deadline": today + timedelta(days=deadline),
                    "url": "",
                    "is_demo": True,
                },
            )


# --- Guidelines ----------------------------------------------------------------------------


def _seed_guidelines(providers: dict, technologies: dict, sectors: dict) -> None:
    for title, owner, techs, sector_slugs, licence, visibility, summary, versions in GUIDELINES:
        member = providers.get(owner) if owner else None
        if owner and not isinstance(member, Member):
            continue
        guideline = ensure(
            TechnicalGuideline,
            {"slug": slugify(_demo_name(title))},
            {
                "title": _demo_name(title),
                "member": member,
                "summary": summary,
                "licence": licence,
                "visibility": visibility,
                "is_demo": True,
            },
        )
        ensure_set(guideline, "technologies", [technologies[t] for t in techs if t in technologies])
        ensure_set(guideline, "sectors", [sectors[s] for s in sector_slugs if s in sectors])
        for version, published, change in versions:
            body = GUIDELINE_BODY.format(
                label=DEMO_LABEL,
                summary=summary,
                change=f"## Changes\n\n{change}" if change else "",
            ).strip()
            row = GuidelineVersion.objects.filter(guideline=guideline, version=version).first()
            if row is None:
                row = GuidelineVersion.objects.create(
                    guideline=guideline,
                    version=version,
                    published_on=published,
                    body=body,
                    change_note=change,
                    render_status=GuidelineVersion.RenderStatus.QUEUED,
                )
            _queue_render(row)


def _queue_render(version: GuidelineVersion) -> None:
    """Queue the version's PDF once: not again while a render job for it is waiting, has
    run or has its PDF. (Eager Celery renders it when the seed commits: about a second for
    the four guidelines.)"""
    from .tasks_guidelines import render_guideline_version

    if version.render_status == GuidelineVersion.RenderStatus.RENDERED or version.pdf:
        return
    queued = BackgroundJob.objects.filter(
        task_name=render_guideline_version.name, arguments__version_id=version.pk
    ).exclude(status=BackgroundJob.Status.FAILED)
    if not queued.exists():
        job_enqueue(
            task=render_guideline_version,
            description=f"Render {version} (demo)",
            version_id=version.pk,
        )


# --- Needs and introductions ---------------------------------------------------------------


def _seed_needs(technologies: dict, sectors: dict) -> None:
    """Technologies on the demo partnerships' technology needs, and a few more needs."""
    demo_needs = SupportRequest.objects.filter(
        is_demo=True, partnership__is_demo=True, kind="technology"
    )
    for need in demo_needs.filter(title__in=NEED_TECHNOLOGIES):
        wanted = [technologies[t] for t in NEED_TECHNOLOGIES[need.title] if t in technologies]
        ensure_set(need, "technologies", wanted)
    partnerships = {p.country.code: p for p in Partnership.objects.filter(is_demo=True)}
    for code, title, sector, techs, created in NEW_NEEDS:
        if code not in partnerships:
            continue
        need = ensure(
            SupportRequest,
            {"partnership": partnerships[code], "title": _demo_name(title)},
            {
                "kind": "technology",
                "description": f"*{DEMO_LABEL}.* A fictional technology need of the "
                f"{partnerships[code].country.name} demo partnership: {title.lower()}.",
                "priority": SupportRequest.Priority.MEDIUM,
                "status": SupportRequest.Status.OPEN,
                "visibility": Visibility.PUBLIC,
                "is_demo": True,
            },
        )
        ensure_set(need, "sectors", [sectors[sector]] if sector in sectors else [])
        ensure_set(need, "technologies", [technologies[t] for t in techs if t in technologies])
        SupportRequest.objects.filter(pk=need.pk).exclude(created_at=_moment(created)).update(
            created_at=_moment(created)
        )


def _seed_introductions(providers: dict, solutions: list) -> None:
    """One introduction waiting for the demo editor's member (Northwind) to answer, asked
    by the demo focal point's partnership; one accepted, asked by Northwind's editor."""
    emails = [FOCAL_EMAIL, DEMO_EDITOR_EMAIL]
    users = {u.email: u for u in get_user_model().objects.filter(email__in=emails)}
    focal = users.get(FOCAL_EMAIL)
    partnership = (
        focal.focal_points.first().partnership if focal and focal.focal_points.exists() else None
    )
    northwind_solution = solutions[0]
    if partnership and northwind_solution:
        Introduction.objects.get_or_create(
            requester_partnership=partnership,
            solution=northwind_solution,
            defaults={
                "requested_by": focal,
                "message": f"{DEMO_LABEL}. We would like to discuss a pilot of this furnace "
                "for a planned direct reduction plant.",
            },
        )
    woodgrove_solution = solutions[18]
    northwind = providers.get("northwind")
    if northwind and woodgrove_solution:
        Introduction.objects.get_or_create(
            requester_member=northwind,
            solution=woodgrove_solution,
            defaults={
                "requested_by": users.get(DEMO_EDITOR_EMAIL),
                "message": f"{DEMO_LABEL}. We are sizing electrolysers for our pilot campaign.",
                "status": Introduction.Status.ACCEPTED,
                "answer_note": f"{DEMO_LABEL}. Glad to talk: our contacts are now shared.",
                "answered_at": _moment(date(2026, 9, 14)),
            },
        )
