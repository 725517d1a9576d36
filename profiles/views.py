from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from profiles import selectors, services, tokens
from profiles.cache import DIRECTORY_CACHE_SECONDS, cache_key
from profiles.forms import (
    DirectoryFilterForm,
    JobHistoryFormSet,
    MenteeProfileForm,
    MentorProfileForm,
    RoleChoiceForm,
)
from profiles.models import Membership, MenteeProfile, MentorProfile


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
    return render(request, "profiles/start.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def mentor_edit(request):
    profile, form, formset = _mentor_forms(request)
    saved = _save_mentor_forms(form, formset)
    if saved is None:
        return _mentor_form_page(request, profile, form, formset)
    messages.success(
        request,
        "Your mentor profile is saved."
        if profile is not None
        else "Your mentor profile is saved. Submit it for review when it is ready.",
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
    form = MentorProfileForm(data, instance=instance)
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
    }
    return render(request, "profiles/mentor_form.html", ctx)


def _submitted_message(profile: MentorProfile) -> str:
    if profile.is_approved:
        return "Your profile is live: mentees can now find you in the directory."
    return "Thank you. The scheme team will review your profile and email you."


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
        messages.success(request, "Your profile is visible to mentees again.")
    else:
        messages.success(
            request,
            "Your profile is hidden from mentees. Your current mentorships carry on as before.",
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
    messages.success(request, "Thank you for confirming your profile is up to date.")
    return redirect("profiles:mentor-edit")


@login_required
@require_http_methods(["GET", "POST"])
def mentee_edit(request):
    profile = MenteeProfile.objects.filter(user=request.user).first()
    instance = profile or MenteeProfile(user=request.user)
    form = MenteeProfileForm(request.POST if request.method == "POST" else None, instance=instance)
    then_mentor = request.GET.get("then") == "mentor"
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            form.save()
            if profile is None:
                services.join_only_programme(request.user, Membership.Role.MENTEE)
        if then_mentor:
            messages.success(
                request, "Your mentee profile is saved. Now tell mentees about you as a mentor."
            )
            return redirect("profiles:mentor-edit")
        messages.success(request, "Your mentee profile is saved. Now find a mentor who can help.")
        return redirect("profiles:directory" if profile is None else "profiles:mentee-edit")
    ctx = {"form": form, "profile": profile, "then_mentor": then_mentor}
    return render(request, "profiles/mentee_form.html", ctx)


@login_required
@require_safe
def directory(request):
    areas = selectors.areas_for(request.user)
    wanted = sorted(a.pk for a in areas if getattr(a, "wanted", False))
    query = _directory_query(DirectoryFilterForm(request.GET, areas=areas))
    # The filters and results are the same for everyone with the same query and wanted areas
    # until a mentor's listing changes, which bumps the directory's version (profiles.cache).
    key = cache_key(query.urlencode(), wanted)
    html = cache.get(key)
    if html is None:
        form = DirectoryFilterForm(query, areas=areas)
        html = render_to_string(
            "profiles/_directory.html", _directory_context(form, query, areas, wanted), request
        )
        cache.set(key, html, DIRECTORY_CACHE_SECONDS)
    return render(request, "profiles/mentor_list.html", {"directory_html": html})


def _directory_query(form: DirectoryFilterForm) -> QueryDict:
    """The query rebuilt from its valid filter values only, in one order. The page depends on
    nothing else, so unknown parameters and invalid values neither change it nor put another
    copy of it in the cache (shared with the Celery broker)."""
    query = QueryDict(mutable=True)
    if q := " ".join((form.value("q", "") or "").split()):
        query["q"] = q
    if chosen := sorted(set(form.value("area", []))):
        query.setlist("area", chosen)
    for name in ("industry", "country", "format"):
        if value := form.value(name, ""):
            query[name] = value
    if form.value("available", False):
        query["available"] = "1"
    if (page := min(form.value("page", 1), selectors.MAX_PAGE)) > 1:
        query["page"] = str(page)
    return query


def _directory_context(
    form: DirectoryFilterForm, query: QueryDict, areas, wanted: list[int]
) -> dict:
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
        wanted_area_ids=set(wanted),
        page=form.value("page", 1),
    )
    names = {a.pk: a.name for a in areas}
    cards = [
        {
            "mentor": m,
            "areas": [names[i] for i in m.area_ids if i in names][:4],
            "shared": [names[i] for i in m.area_ids if i in page.wanted_area_ids and i in names],
        }
        for m in page.mentors
    ]
    query = query.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "cards": cards,
        "chosen_areas": chosen,
        "q": q,
        "querystring": query.urlencode(),
        "has_filters": any(
            form.value(n) for n in ("q", "area", "industry", "country", "format", "available")
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
