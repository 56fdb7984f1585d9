"""Member self-service: a member's editors (and staff) keep its page current.

Access is declared in ``members/urls.py`` (``member_of_object``: signed in). Here every
view finds its member through ``_member_for`` — ``Member.objects.editable_by(user)`` — and
the objects inside it (updates, stories) through their own ``editable_by`` narrowed to that
member, so another member's page or object answers 404, changes nothing and is logged.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from leadit.access import log_refused, permitted_or_404

from .. import services
from ..forms import (
    ImpactStoryForm,
    MemberCommitmentFormSet,
    MemberProfileForm,
    PillarEngagementForm,
    ProgressUpdateForm,
)
from ..models import ImpactStory, Member, Pillar, ProgressUpdate
from ..selectors import member_profile_load, milestone_by_slug
from ..self_service import (
    member_history,
    members_with_progress,
    milestone_last_past,
    milestones_upcoming,
)


def _refuse(request, what: str, identifier) -> None:
    """Log an attempt on another member's page or object (the caller answers 404)."""
    log_refused(request, what, identifier)


def _member_for(request, slug: str) -> Member:
    """The member named in the URL, if this user may edit it; else 404 (logged when the
    member exists, so that probing another member's pages leaves a trace)."""
    return permitted_or_404(
        request,
        Member.objects.editable_by(request.user),
        what="member",
        identifier=repr(slug),
        slug=slug,
    )


def _object_of(request, member: Member, queryset, pk: int, what: str):
    """An object of ``member`` (an update, a story) by id; 404 (and logged if it exists
    elsewhere) when the id belongs to another member."""
    return permitted_or_404(
        request,
        queryset.editable_by(request.user).filter(member=member),
        what=what,
        identifier=pk,
        pk=pk,
    )


def _update_for(request, member: Member, pk: int) -> ProgressUpdate:
    return _object_of(request, member, ProgressUpdate.objects, pk, "progress update")


def _story_for(request, member: Member, pk: int) -> ImpactStory:
    return _object_of(request, member, ImpactStory.objects, pk, "impact story")


def _edit_page(request, page: str, member: Member, **context):
    """One of ``member``'s editing pages (``members/edit/<page>.html``)."""
    return render(request, f"members/edit/{page}.html", {"member": member, **context})


def _edit_home(member: Member) -> str:
    return reverse("members:edit", kwargs={"slug": member.slug})


# --- The dashboard -------------------------------------------------------------------------


def dashboard(request):
    """Where a signed-in user lands: the members they edit and what needs doing; for staff
    also every active member's last update."""
    milestone = milestone_last_past()
    own = members_with_progress(Member.objects.edited_by(request.user), milestone=milestone)
    all_active = None
    if request.user.is_staff:
        all_active = members_with_progress(
            Member.objects.filter(status=Member.Status.ACTIVE), milestone=milestone
        )
    return render(
        request,
        "members/dashboard.html",
        {
            "own_members": own,
            "all_active": all_active,
            "stale_count": sum(m.is_stale for m in all_active or []),
            "last_milestone": milestone,
            "upcoming": milestones_upcoming(),
        },
    )


# --- A member's editing home ---------------------------------------------------------------


def overview(request, slug):
    member = _member_for(request, slug)
    updates = list(member.progress_updates.select_related("milestone", "author"))
    milestone = milestone_last_past()
    (progress,) = members_with_progress(Member.objects.filter(pk=member.pk), milestone=milestone)
    return _edit_page(
        request,
        "overview",
        member,
        drafts=[u for u in updates if u.status == ProgressUpdate.Status.DRAFT],
        published=[u for u in updates if u.status == ProgressUpdate.Status.PUBLISHED],
        hidden=[u for u in updates if u.status == ProgressUpdate.Status.HIDDEN],
        stories=list(member.impact_stories.all()),
        is_stale=progress.is_stale,
        last_published_at=progress.last_published_at,
        last_milestone=milestone,
        upcoming=milestones_upcoming(),
        is_editor=Member.objects.edited_by(request.user).filter(pk=member.pk).exists(),
    )


# --- Profile, commitments, pillars --------------------------------------------------------


def profile(request, slug):
    member = _member_for(request, slug)
    current_logo = member.logo.url if member.logo else None
    if request.method == "POST":
        form = MemberProfileForm(request.POST, request.FILES, instance=member)
        if form.is_valid():
            services.member_profile_update(
                member=member,
                description=form.cleaned_data["description"],
                website=form.cleaned_data["website"],
                logo=form.cleaned_data["logo"],
                contact_details_public=form.cleaned_data["contact_details_public"],
            )
            messages.success(request, "Your profile is saved.")
            return redirect(_edit_home(member))
    else:
        form = MemberProfileForm(instance=member)
    return _edit_page(request, "profile", member, form=form, current_logo=current_logo)


def commitments(request, slug):
    member = _member_for(request, slug)
    rows = services.member_commitments_ensure(member=member)
    queryset = member.commitments.filter(pk__in=[row.pk for row in rows]).select_related(
        "commitment", "updated_by"
    )
    if request.method == "POST":
        formset = MemberCommitmentFormSet(request.POST, queryset=queryset)
        # A row id that is not one of this member's rows was put there by hand.
        own_ids = {str(row.pk) for row in rows}
        for form in formset.forms:
            submitted = form.data.get(form.add_prefix("id"))
            if submitted is not None and submitted not in own_ids:
                _refuse(request, "member commitment", submitted)
                raise Http404
        if formset.is_valid():
            changed = [form.instance for form in formset.forms if form.has_changed()]
            saved = services.member_commitments_update(
                member=member, changed=changed, by=request.user
            )
            messages.success(
                request,
                f"Your commitments are saved ({saved} changed)." if saved else "Nothing changed.",
            )
            return redirect(_edit_home(member))
    else:
        formset = MemberCommitmentFormSet(queryset=queryset)
    return _edit_page(request, "commitments", member, formset=formset)


def pillars(request, slug):
    member = _member_for(request, slug)
    engagements = {e.pillar_id: e for e in member.pillar_engagements.all()}
    data = request.POST if request.method == "POST" else None
    forms = [
        PillarEngagementForm(
            data,
            pillar=pillar,
            prefix=f"pillar-{pillar.pk}",
            initial={
                "role": getattr(engagements.get(pillar.pk), "role", ""),
                "note": getattr(engagements.get(pillar.pk), "note", ""),
            },
        )
        for pillar in Pillar.objects.order_by("number")
    ]
    if data is not None and all(form.is_valid() for form in forms):
        services.member_pillars_update(
            member=member,
            choices={
                form.pillar: (form.cleaned_data["role"], form.cleaned_data["note"].strip())
                for form in forms
            },
        )
        messages.success(request, "Your pillar engagement is saved.")
        return redirect(_edit_home(member))
    has_errors = data is not None and any(form.errors for form in forms)
    return _edit_page(request, "pillars", member, forms=forms, has_errors=has_errors)


# --- Progress updates ---------------------------------------------------------------------


def update_form(request, slug, pk=None):
    member = _member_for(request, slug)
    update = _update_for(request, member, pk) if pk is not None else None
    # Every active commitment has a row to report on (as on the commitments page).
    services.member_commitments_ensure(member=member)
    if request.method == "POST":
        form = ProgressUpdateForm(request.POST, instance=update, member=member)
        publish = request.POST.get("action") == "publish"
        if form.is_valid():
            try:
                with transaction.atomic():
                    update = services.progress_update_save(
                        member=member,
                        update=update,
                        title=form.cleaned_data["title"],
                        milestone=form.cleaned_data["milestone"],
                        body=form.cleaned_data["body"],
                        author=request.user,
                        pillars=form.cleaned_data["pillars"],
                        reported=form.reported,
                    )
                    # Only a draft is published from here: a hidden update waits for
                    # the secretariat's review, a published one stays published.
                    publish = publish and update.status == ProgressUpdate.Status.DRAFT
                    if publish:
                        services.progress_update_publish(update=update, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _saved_message(update, published_now=publish))
                return redirect(_edit_home(member))
    else:
        initial = {}
        if update is None:
            # Reminder e-mails link to …/updates/new/?milestone=<slug>; an unknown slug
            # is ignored (the form opens without a milestone).
            milestone = milestone_by_slug(slug=request.GET.get("milestone", ""))
            if milestone is not None:
                initial["milestone"] = milestone
        form = ProgressUpdateForm(instance=update, member=member, initial=initial)
    return _edit_page(request, "update_form", member, update=update, form=form)


def _saved_message(update: ProgressUpdate, *, published_now: bool) -> str:
    if update.status == ProgressUpdate.Status.HIDDEN:
        return f"“{update.title}” is saved. It stays hidden until the secretariat has reviewed it."
    if update.status == ProgressUpdate.Status.PUBLISHED:
        if published_now:
            return f"“{update.title}” is published; the secretariat has been told."
        return f"“{update.title}” is saved and stays published."
    return f"“{update.title}” is saved as a draft. Only your organisation's editors see it."


def _post_only(request):
    """Publishing and withdrawing change things: POST forms only (after the member check,
    so that another member's user still gets a 404)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def update_publish(request, slug, pk):
    member = _member_for(request, slug)
    update = _update_for(request, member, pk)
    if refusal := _post_only(request):
        return refusal
    if update.status == ProgressUpdate.Status.PUBLISHED:
        messages.info(request, f"“{update.title}” was already published.")
    else:
        try:
            services.progress_update_publish(update=update, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _saved_message(update, published_now=True))
    return redirect(_edit_home(member))


def update_withdraw(request, slug, pk):
    member = _member_for(request, slug)
    update = _update_for(request, member, pk)
    if refusal := _post_only(request):
        return refusal
    if update.status == ProgressUpdate.Status.PUBLISHED:
        services.progress_update_withdraw(update=update)
        messages.success(
            request, f"“{update.title}” is withdrawn: it is a draft again, not on the public page."
        )
    else:
        messages.info(request, f"“{update.title}” was not published; nothing to withdraw.")
    return redirect(_edit_home(member))


# --- Impact stories -----------------------------------------------------------------------


def story_form(request, slug, pk=None):
    member = _member_for(request, slug)
    story = _story_for(request, member, pk) if pk is not None else None
    if request.method == "POST":
        form = ImpactStoryForm(request.POST, instance=story)
        if form.is_valid():
            story = services.impact_story_save(member=member, story=story, **form.cleaned_data)
            messages.success(
                request,
                f"“{story.title}” is saved"
                + (" and on your public profile." if story.is_published else " (not published)."),
            )
            return redirect(_edit_home(member))
    else:
        form = ImpactStoryForm(instance=story)
    return _edit_page(request, "story_form", member, story=story, form=form)


# --- Preview and history ------------------------------------------------------------------


def preview(request, slug):
    """Exactly what the public profile shows (published content only), under a banner."""
    member = member_profile_load(member=_member_for(request, slug))
    return _edit_page(request, "preview", member)


def history(request, slug):
    member = _member_for(request, slug)
    return _edit_page(request, "history", member, entries=member_history(member=member, limit=50))
