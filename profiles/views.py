from __future__ import annotations

import functools
import re
from urllib.parse import quote_plus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import sso
from profiles import rules, search_stats, selectors, services, shortlist, staff_edits, tokens
from profiles.cache import DIRECTORY_CACHE_SECONDS, cache_key
from profiles.cache import version as directory_version
from profiles.forms import (
    DirectoryFilterForm,
    JobHistoryFormSet,
    MatchingApplicationForm,
    MenteeProfileForm,
    MentorProfileForm,
    ProgrammeRoleForm,
    RoleChoiceForm,
)
from profiles.models import Membership, MenteeProfile, MentorProfile, Programme
from profiles.training import joining_sentence


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    """Onboarding: choose to be a mentee, a mentor or both, then fill in the profile(s)."""
    form = RoleChoiceForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        role = form.cleaned_data["role"]
        if role == "mentor":
            return redirect("profiles:mentor-edit")
        url = reverse("profiles:mentee-edit")
        return redirect(f"{url}?then=mentor" if role == "both" else url)
    in_a_programme = Membership.objects.current().filter(user=request.user).exists()
    return render(request, "profiles/start.html", {"form": form, "in_a_programme": in_a_programme})


@login_required
@require_http_methods(["GET", "POST"])
def mentor_edit(request):
    profile, form, formset = _mentor_forms(request)
    saved = _save_mentor_forms(form, formset)
    if saved is None:
        return _mentor_form_page(request, profile, form, formset)
    messages.success(
        request,
        gettext("Your mentor profile is saved.")
        if profile is not None
        else gettext("Your mentor profile is saved. Submit it for review when it is ready."),
    )
    return redirect("profiles:mentor-edit")


@login_required
@require_POST
def mentor_submit(request):
    """ "Save and submit for review": the form's second button posts the whole form here
    (formaction), so what was typed is saved first and an invalid form is shown again."""
    profile, form, formset = _mentor_forms(request)
    saved = _save_mentor_forms(form, formset)
    if saved is None:
        return _mentor_form_page(request, profile, form, formset)
    try:
        saved = services.submit_for_review(saved)
    except services.ProfileError as exc:
        # What was typed is saved: the form page shows it again with the reasons.
        messages.error(request, str(exc))
    else:
        messages.success(request, _submitted_message(saved))
    return redirect("profiles:mentor-edit")


def _mentor_forms(request) -> tuple[MentorProfile | None, MentorProfileForm, JobHistoryFormSet]:
    """The mentor's profile (None before the first save) and its forms, bound on every POST."""
    profile = MentorProfile.objects.filter(user=request.user).first()
    instance = profile or MentorProfile(user=request.user)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = MentorProfileForm(data, files, instance=instance)
    return profile, form, JobHistoryFormSet(data, instance=instance, prefix="jobs")


def _save_mentor_forms(form: MentorProfileForm, formset: JobHistoryFormSet) -> MentorProfile | None:
    if not (form.is_bound and form.is_valid() and formset.is_valid()):
        return None
    with transaction.atomic():
        new = form.instance.pk is None
        profile = form.save()
        formset.instance = profile
        formset.save()
        if new:
            services.join_only_programme(profile.user, Membership.Role.MENTOR)
    return profile


def _mentor_form_page(request, profile, form, formset):
    percent, missing = form.instance.completeness() if profile is not None else (0, [])
    ctx = {
        "form": form,
        "formset": formset,
        "profile": profile,
        "can_submit": profile is None or profile.can_submit,
        "completeness": percent,
        "missing": missing,
        "staff_edits": (
            staff_edits.readable(list(staff_edits.unseen(profile))) if profile is not None else []
        ),
    }
    return render(request, "profiles/mentor_form.html", ctx)


def _submitted_message(profile: MentorProfile) -> str:
    if profile.is_approved:
        return gettext("Your profile is live: mentees can now find you in the directory.")
    return gettext("Thank you. The scheme team will review your profile and email you.")


def _own_mentor_profile(request) -> MentorProfile:
    profile = MentorProfile.objects.filter(user=request.user).first()
    if profile is None:
        raise Http404("You have no mentor profile yet.")
    return profile


@login_required
@require_POST
def mentor_active(request):
    profile = _own_mentor_profile(request)
    active = request.POST.get("active") == "1"
    services.set_active(profile, active=active)
    if active:
        messages.success(request, gettext("Your profile is visible to mentees again."))
    else:
        messages.success(
            request,
            gettext(
                "Your profile is hidden from mentees. Requests waiting for your answer are closed "
                "kindly; your current mentorships carry on as before."
            ),
        )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("profiles:mentor-edit")


@login_required
@require_POST
def mentor_confirm(request):
    profile = _own_mentor_profile(request)
    services.confirm_up_to_date(profile)
    messages.success(request, gettext("Thank you for confirming your profile is up to date."))
    return redirect("profiles:mentor-edit")


@login_required
@require_http_methods(["GET", "POST"])
def mentee_edit(request):
    profile = MenteeProfile.objects.filter(user=request.user).first()
    instance = profile or MenteeProfile(user=request.user)
    line_management = selectors.asks_line_management(request.user)
    form = MenteeProfileForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        line_management=line_management,
    )
    then_mentor = request.GET.get("then") == "mentor"
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            form.save()
            if profile is None:
                services.join_only_programme(request.user, Membership.Role.MENTEE)
        if then_mentor:
            messages.success(
                request,
                gettext("Your mentee profile is saved. Now tell mentees about you as a mentor."),
            )
            return redirect("profiles:mentor-edit")
        messages.success(
            request, gettext("Your mentee profile is saved. Now find a mentor who can help.")
        )
        return redirect("profiles:directory" if profile is None else "profiles:mentee-edit")
    ctx = {
        "form": form,
        "profile": profile,
        "then_mentor": then_mentor,
        "line_management": line_management,
    }
    return render(request, "profiles/mentee_form.html", ctx)


REQUESTED_PAGE_SLOT = "<!--requested-page-->"
# Where the search words as typed go into a cached directory page (letters only: unchanged by
# HTML and URL escaping; never a search word itself, as the underscores split words).
TYPED_SLOT = "__typed_search__"


def _directory_key_query(query: QueryDict) -> tuple[QueryDict, str]:
    """The part of the directory's query its cache key names, without the page (added by the
    caller), with the search's words (profiles.selectors.search_terms) for the text typed; and
    that text."""
    key_query = query.copy()
    key_query.pop("page", None)
    typed = key_query.pop("q", [""])[-1]
    if typed:
        key_query["terms"] = " ".join(selectors.search_terms(typed))
    return key_query, typed


@login_required
@require_safe
def directory(request):
    viewer = selectors.directory_viewer(request.user)
    areas, wanted = viewer.areas, viewer.wanted_area_ids
    form = DirectoryFilterForm(request.GET, areas=areas)
    slug = form.value("programme", "")
    programme = viewer.programme(slug) if slug else viewer.default_programme()
    if slug and programme is None:
        raise Http404("No such programme.")
    ctx = {
        "programme": programme,
        "programmes": viewer.readable if len(viewer.readable) > 1 else [],
        "several": len(viewer.visible) > 1,
    }
    if programme is None or not viewer.may_read(programme):
        # Nothing to list: say which programme(s) to join first.
        ctx.update(join=True, joinable=viewer.visible)
        return render(request, "profiles/mentor_list.html", ctx)
    # Links name the programme once there is more than one to choose from (for staff, drafts
    # count).
    query = _directory_query(
        form,
        programme.slug if len(viewer.programmes) > 1 else "",
        advice=selectors.allows_advice(programme),
    )
    # The filters and results are the same for everyone with the same search words, filters,
    # page, programme, exclusions and wanted areas until a mentor's listing changes, which
    # bumps the directory's version (profiles.cache). "Spain", "spain," and " Spain " are one
    # entry (the words typed go into the page from slots), and so is every page past the last.
    key_query, typed = _directory_key_query(query)
    keyed = functools.partial(
        cache_key,
        wanted_area_ids=wanted,
        programme_id=programme.pk,
        exclusion=viewer.exclusion_key(programme),
        at_version=directory_version(),  # read once for both keys
    )
    pages_key = "directory-pages:" + keyed(key_query.urlencode()).split(":", 1)[1]
    requested = int(query.get("page", 1))

    def page_key(pages: int | None) -> str:
        paged = key_query.copy()
        if pages is not None and requested > pages:
            paged["page"], paged["past_last"] = str(pages), "1"
        elif requested > 1:
            paged["page"] = str(requested)
        return keyed(paged.urlencode())

    html = cache.get(page_key(cache.get(pages_key)))
    if html is None:
        context = _directory_context(
            DirectoryFilterForm(query, areas=areas),
            query,
            areas,
            wanted,
            programme=programme,
            exclude=viewer.exclusion(programme),
            typed_slot=TYPED_SLOT,
        )
        html = render_to_string("profiles/_directory.html", context, request)
        pages = context["page"].pages
        cache.set(page_key(pages), html, DIRECTORY_CACHE_SECONDS)
        cache.set(pages_key, pages, DIRECTORY_CACHE_SECONDS)
    if typed:
        html = html.replace(f"q={TYPED_SLOT}", f"q={escape(quote_plus(typed))}")
        html = html.replace(TYPED_SLOT, escape(typed))
    # A page past the last one shows the last one; the cached page says so, with the number
    # asked for put in here (the cache keeps pages up to MAX_PAGE only).
    html = html.replace(REQUESTED_PAGE_SLOT, str(form.value("page", 1)))
    # This viewer's "Save to my shortlist" buttons go into the shared cards' slots.
    may_save = viewer.mentee is not None and programme.pk in viewer.mentee_in
    ctx["directory_html"] = shortlist.fill_slots(
        html,
        saved=viewer.shortlist if may_save else None,
        next_url=request.get_full_path(),
        request=request,
    )
    if programme.pk in viewer.mentee_in:
        search_stats.record_directory_query(programme.pk, query, areas)  # counts only
    if programme.outside_line_management and viewer.mentee is not None:
        ctx["excludes_line_management"] = bool(viewer.exclusion_key(programme))
        # Nothing recorded yet: their manager and colleagues would be listed.
        ctx["asks_line_management"] = not ctx["excludes_line_management"]
    return render(request, "profiles/mentor_list.html", ctx)


def _directory_query(
    form: DirectoryFilterForm, programme: str = "", *, advice: bool = True
) -> QueryDict:
    """The query rebuilt from its valid filter values only, in one order. The page depends on
    nothing else, so unknown parameters and invalid values neither change it nor put another
    copy of it in the cache (shared with the Celery broker). The advice filter counts only in
    a programme that allows advice conversations (`advice`)."""
    query = QueryDict(mutable=True)
    if programme:
        query["programme"] = programme
    if q := " ".join((form.value("q", "") or "").split()):
        query["q"] = q
    if chosen := sorted(set(form.value("area", []))):
        query.setlist("area", chosen)
    for name in ("industry", "country", "format"):
        if value := form.value(name, ""):
            query[name] = value
    if form.value("available", False):
        query["available"] = "1"
    if advice and form.value("advice", False):
        query["advice"] = "1"
    if (page := min(form.value("page", 1), selectors.MAX_PAGE)) > 1:
        query["page"] = str(page)
    return query


def _directory_context(
    form: DirectoryFilterForm,
    query: QueryDict,
    areas,
    wanted: list[int],
    *,
    programme: Programme,
    exclude: Q,
    typed_slot: str = "",
) -> dict:
    """The directory's context. With `typed_slot`, the page shows that slot where the search
    as typed goes (filled in after the cache, so equivalent searches share one entry)."""
    form.is_valid()
    by_slug = {a.slug: a for a in areas}
    chosen = [by_slug[s] for s in form.value("area", [])]
    q = (form.value("q", "") or "").strip()
    page = selectors.search_directory(
        q=q,
        area_ids=[a.pk for a in chosen],
        industry=form.value("industry", ""),
        country=form.value("country", ""),
        meeting_format=form.value("format", ""),
        available=bool(form.value("available", False)),
        advice=bool(form.value("advice", False)),
        wanted_area_ids=set(wanted),
        page=form.value("page", 1),
        programme=programme,
        exclude=exclude,
    )
    names = {a.pk: a.name for a in areas}
    cards = [
        {
            "mentor": m,
            "areas": [names[i] for i in m.area_ids if i in names][:4],
            "shared": [names[i] for i in m.area_ids if i in page.wanted_area_ids and i in names],
            # What the search words matched (the cache key holds the query, so it may be cached).
            "matched_on": page.matched_on.get(m.pk, []),
        }
        for m in page.mentors
    ]
    query = query.copy()
    query.pop("page", None)
    if q and typed_slot:
        query["q"] = typed_slot
    programme_only = QueryDict(mutable=True)
    if "programme" in query:
        programme_only["programme"] = query["programme"]
    return {
        "form": form,
        "page": page,
        "cards": cards,
        "chosen_areas": chosen,
        "q": typed_slot if q and typed_slot else q,
        "querystring": query.urlencode(),
        # The page with no filters: the same programme's every mentor.
        "plain_querystring": programme_only.urlencode(),
        # The advice badge and filter depend on the programme only (the cards are cached and
        # shared by every viewer of the programme: profiles.cache keys name it).
        "advice_offered": selectors.allows_advice(programme),
        "has_filters": any(
            form.value(n)
            for n in ("q", "area", "industry", "country", "format", "available", "advice")
        ),
        # The filters chosen, for the phone's "Filters (3)" button (the search box is outside).
        "filter_count": len(chosen)
        + sum(
            bool(form.value(n)) for n in ("industry", "country", "format", "available", "advice")
        ),
    }


@require_http_methods(["GET", "POST"])
def mentor_confirm_link(request, token: str):
    """The link in the yearly email: one button confirms, no sign-in needed (the signed token
    is the proof). A GET never changes anything, so link scanners cannot confirm for you."""
    profile = tokens.profile_for_confirm_token(token)
    if profile is None:
        return render(request, "profiles/confirm_link.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.confirm_up_to_date(profile)
        return render(request, "profiles/confirm_link.html", {"profile": profile, "done": True})
    return render(request, "profiles/confirm_link.html", {"profile": profile, "token": token})


# Programmes: the pages participants see (the admin runs them).


@login_required
@require_safe
def programme_list(request):
    """The programmes I belong to or may join, with my place in each."""
    memberships = _memberships_by_programme(request.user)
    programmes = [
        p
        for p in Programme.objects.visible()
        if p.pk in memberships or _may_join_some_role(p, request.user)
    ]
    rows = [{"programme": p, "memberships": memberships.get(p.pk, [])} for p in programmes]
    return render(request, "profiles/programme_list.html", {"rows": rows})


def _memberships_by_programme(user) -> dict[int, list[Membership]]:
    by_programme: dict[int, list[Membership]] = {}
    for membership in Membership.objects.current().filter(user=user).order_by("role"):
        by_programme.setdefault(membership.programme_id, []).append(membership)
    return by_programme


def _may_join_some_role(programme: Programme, user) -> bool:
    return any(
        services.eligibility_refusal(programme, user, role) is None
        for role in Membership.Role.values
    )


def _programme_for(request, slug: str) -> Programme:
    """A programme participants may see; its coordinators also preview it as a draft."""
    programme = get_object_or_404(Programme, slug=slug)
    if programme.status in {Programme.Status.OPEN, Programme.Status.CLOSED}:
        return programme
    if Programme.objects.coordinated_by(request.user).filter(pk=programme.pk).exists():
        return programme
    raise Http404("No such programme.")


@login_required
@require_safe
def programme_detail(request, slug: str):
    programme = _programme_for(request, slug)
    return _programme_page(request, programme)


@login_required
@require_http_methods(["GET", "POST"])
def programme_invitation(request, slug: str, token: str):
    """The programme's invitation link: it opens the programme to whoever has it (by invitation,
    limited to some email domains, or closed to new members)."""
    programme = get_object_or_404(Programme.objects.visible(), slug=slug, invitation_token=token)
    if request.method == "POST":
        return _join(request, programme, invited=True)
    return _programme_page(request, programme, token=token)


@login_required
@require_POST
def programme_join(request, slug: str):
    programme = _programme_for(request, slug)
    return _join(request, programme, invited=False)


def _join(request, programme: Programme, *, invited: bool):
    form = ProgrammeRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["role"][0])
        return redirect(programme)
    role = form.cleaned_data["role"]
    mine = Membership.objects.current().filter(user=request.user, programme=programme, role=role)
    already = mine.exists()  # a second click
    try:
        membership = services.join_programme(
            user=request.user, programme=programme, role=role, invited=invited
        )
    except services.ProfileError as exc:
        messages.error(request, str(exc))
        return redirect(programme)
    name = {"programme": programme.name}
    if role == Membership.Role.MENTOR:
        joined = (
            gettext("You are a mentor in %(programme)s already.")
            if already
            else gettext("You have joined %(programme)s as a mentor.")
        ) % name
    else:
        joined = (
            gettext("You are a mentee in %(programme)s already.")
            if already
            else gettext("You have joined %(programme)s as a mentee.")
        ) % name
    if role == Membership.Role.MENTEE:
        profile = MenteeProfile.objects.filter(user=request.user).first()
        if profile is None:
            messages.success(
                request, f"{joined} {gettext('Now tell mentors about you and your goals.')}"
            )
            return redirect("profiles:mentee-edit")
        if programme.outside_line_management and not (
            profile.department or profile.line_manager_email
        ):
            messages.success(
                request,
                joined
                + " "
                + gettext(
                    "%(programme)s pairs you with a mentor outside your line management: add "
                    "your department and your line manager's email address so neither is "
                    "suggested to you."
                )
                % name,
            )
            return redirect("profiles:mentee-edit")
    elif not MentorProfile.objects.filter(user=request.user).exists():
        messages.success(request, f"{joined} {gettext('Now tell mentees about you as a mentor.')}")
        return redirect("profiles:mentor-edit")
    if membership.status == Membership.Status.PENDING and not programme.mentor_approval_required:
        messages.success(request, f"{joined} {joining_sentence(request.user, programme)}")
    elif membership.status == Membership.Status.PENDING:
        messages.success(
            request,
            joined
            + " "
            + gettext(
                "Its coordinators approve each mentor: they will email you once they have, and "
                "then mentees can find you."
            ),
        )
    else:
        messages.success(request, joined)
    return redirect(programme)


def _programme_page(request, programme: Programme, *, token: str = ""):
    today = timezone.localdate()
    mine = {
        m.role: m
        for m in Membership.objects.current().filter(user=request.user, programme=programme)
    }
    roles = []
    for role in (Membership.Role.MENTEE, Membership.Role.MENTOR):
        label = role.label
        membership = mine.get(role)
        refusal = None
        if membership is None:
            refusal = services.eligibility_refusal(
                programme, request.user, role, invited=bool(token)
            )
        roles.append(
            {
                "role": role,
                "label": label.lower(),
                "membership": membership,
                "waiting": membership is not None and not membership.is_approved,
                "needs_profile": membership is not None and not _has_profile(request.user, role),
                "refusal": refusal,
            }
        )
    mentee = mine.get(Membership.Role.MENTEE)
    ctx = {
        "programme": programme,
        "how_pairs_are_made": _HOW_PAIRS_ARE_MADE[programme.matching],
        "paragraphs": _paragraphs(programme.description),
        "roles": roles,
        "mentee": mentee,
        "can_apply": bool(mentee and mentee.is_approved and programme.matches_centrally),
        "is_draft": programme.status not in {Programme.Status.OPEN, Programme.Status.CLOSED},
        "join_url": (
            reverse("profiles:programme-invitation", args=[programme.slug, token])
            if token
            else reverse("profiles:programme-join", args=[programme.slug])
        ),
        "invited": bool(token),
        "sso": _single_sign_on(request, programme),
        **_programme_rounds(programme, today),
    }
    return render(request, "profiles/programme_detail.html", ctx)


def _single_sign_on(request, programme: Programme) -> dict | None:
    """For a programme joined with a single sign-on provider the person's account is not yet
    linked to: why they cannot join yet, and the button that links it (then back here)."""
    refusal = services.single_sign_on_refusal(programme, request.user)
    if refusal is None:
        return None
    provider = sso.find_provider(request, programme.single_sign_on)
    url = provider.get_login_url(request, process="connect", next=request.path) if provider else ""
    return {"refusal": refusal, "name": provider.name if provider else "", "url": url}


def _paragraphs(text: str) -> list[str]:
    """Blank lines make paragraphs (whatever the line endings a browser sent)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def _has_profile(user, role: str) -> bool:
    model = MentorProfile if role == Membership.Role.MENTOR else MenteeProfile
    return model.objects.filter(user=user).exists()


_HOW_PAIRS_ARE_MADE = {
    Programme.Matching.CHOICE: _("Mentees choose a mentor from the directory and send a request."),
    Programme.Matching.CENTRAL: _(
        "Mentees apply, and the coordinators match each one with a mentor."
    ),
    Programme.Matching.BOTH: _(
        "Mentees choose a mentor from the directory, or apply and the coordinators match them."
    ),
}


def _programme_rounds(programme: Programme, today) -> dict:
    """The round running now and the next one, with their mentor recruitment windows."""
    if not programme.has_rounds:
        return {"rounds_shown": []}
    rounds = list(
        programme.rounds.filter(term_ends_on__gt=today, completed_at__isnull=True)
        .order_by("mentee_opens_on")
        .prefetch_related("recruitment_windows")[:4]
    )
    current = [r for r in rounds if r.mentee_opens_on <= today][-1:]
    upcoming = [r for r in rounds if r.mentee_opens_on > today][:1]
    return {
        "rounds_shown": [(r, gettext("This round")) for r in current]
        + [(r, gettext("Next round")) for r in upcoming]
    }


def _current_membership(request, programme: Programme, role: str | None, **filters) -> Membership:
    if role not in Membership.Role.values:
        raise Http404("No such role.")
    membership = (
        Membership.objects.current()
        .filter(user=request.user, programme=programme, role=role, **filters)
        .first()
    )
    if membership is None:
        raise Http404("You are not in this programme in that role.")
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def programme_leave(request, slug: str):
    """Leaving asks first (GET shows what happens), then POST leaves."""
    programme = _programme_for(request, slug)
    role = request.POST.get("role") if request.method == "POST" else request.GET.get("role")
    membership = _current_membership(request, programme, role)
    if request.method == "POST":
        services.leave_programme(membership, by=request.user)
        left = (
            gettext("You have left %(programme)s as a mentor.")
            if role == Membership.Role.MENTOR
            else gettext("You have left %(programme)s as a mentee.")
        )
        messages.success(request, left % {"programme": programme.name})
        return redirect(programme)
    ctx = {"programme": programme, "membership": membership}
    return render(request, "profiles/programme_leave.html", ctx)


PREFERRED_MENTORS_SHOWN = 30


@login_required
@require_http_methods(["GET", "POST"])
def programme_apply(request, slug: str):
    """A mentee applies to be matched by the coordinators of a programme that matches centrally;
    after applying, the same page shows what they sent, to change it."""
    programme = _programme_for(request, slug)
    if not programme.matches_centrally:
        raise Http404("In this programme mentees choose their mentor.")
    membership = (
        Membership.objects.approved()
        .mentees()
        .filter(user=request.user, programme=programme)
        .first()
    )
    if membership is None:
        messages.error(
            request,
            gettext("Join %(programme)s as a mentee first.") % {"programme": programme.name},
        )
        return redirect(programme)
    mentee_profile = MenteeProfile.objects.filter(user=request.user).first()
    mentors = (
        MentorProfile.objects.listed()
        .in_programme(programme)
        .filter(rules.line_management_exclusion(programme, mentee_profile))
        .exclude(user=request.user)
    )
    data = request.POST if request.method == "POST" else None
    searching = data is not None and "search" in data
    q = " ".join(((data or request.GET).get("q") or "").split())[:100]
    if data is not None:
        chosen_ids = _ids(data.getlist("preferred_mentors"))
    else:
        chosen_ids = list(membership.preferred_mentors.values_list("pk", flat=True))
    shown, more = _preferred_mentor_choices(mentors, q, chosen_ids)
    if searching or data is None:
        # A search keeps what was typed without checking it yet.
        initial = (
            {"application": data.get("application", ""), "preferred_mentors": chosen_ids}
            if searching
            else {"application": membership.application, "preferred_mentors": chosen_ids}
        )
        form = MatchingApplicationForm(initial=initial, mentors=mentors, shown=shown)
    else:
        form = MatchingApplicationForm(data, mentors=mentors, shown=shown)
        if form.is_valid():
            first = membership.applied_at is None
            try:
                services.apply_to_be_matched(
                    membership,
                    application=form.cleaned_data["application"],
                    preferred_mentors=form.cleaned_data["preferred_mentors"],
                )
            except services.ProfileError as exc:
                form.add_error("application", str(exc))
            else:
                messages.success(
                    request,
                    gettext(
                        "Thank you: your application is with the coordinators, who will match "
                        "you and email you."
                    )
                    if first
                    else gettext("Your application is updated."),
                )
                return redirect("profiles:programme-apply", programme.slug)
    ctx = {
        "programme": programme,
        "membership": membership,
        "form": form,
        "q": q,
        "offer_search": more or bool(q),
        "more": more,
        "mentee_profile": mentee_profile,
        "sent_mentors": (
            list(membership.preferred_mentors.select_related("mentor_profile"))
            if membership.applied_at
            else []
        ),
    }
    return render(request, "profiles/programme_apply.html", ctx)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()][:50]


def _preferred_mentor_choices(mentors, q: str, chosen_ids: list[int]):
    """The mentors offered as checkboxes: the first PREFERRED_MENTORS_SHOWN by name (matching
    the search, if any) and those already chosen. Also whether there are more to find."""
    found = mentors.select_related("user").order_by("user__full_name", "pk")
    if q:
        found = found.filter(
            Q(user__full_name__icontains=q)
            | Q(job_title__icontains=q)
            | Q(organisation__icontains=q)
            | Q(headline__icontains=q)
        )
    shown = list(found[: PREFERRED_MENTORS_SHOWN + 1])
    more = len(shown) > PREFERRED_MENTORS_SHOWN
    shown = shown[:PREFERRED_MENTORS_SHOWN]
    missing = set(chosen_ids) - {p.user_id for p in shown}
    if missing:
        shown = list(mentors.filter(user_id__in=missing).select_related("user")) + shown
    return shown, more
