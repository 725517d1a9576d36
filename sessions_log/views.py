from __future__ import annotations

import copy
import functools
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from matching import conversations
from matching import services as matching_services
from matching.forms import EndMentorshipForm
from matching.message_forms import MessageForm
from matching.models import Mentorship
from sessions_log import advice, agreement_space, briefing, calendar, check_in_links, services
from sessions_log.forms import (
    CheckInForm,
    HeldMeetingForm,
    LogMeetingForm,
    ObjectiveForm,
    ObjectiveUpdateForm,
    PlanMeetingForm,
    PrivateNoteForm,
)
from sessions_log.models import CalendarFeed, CheckIn, Meeting, MeetingPrivateNote, Objective
from sessions_log.selectors import pair_space


def _get_mentorship_for_user(request, pk: int) -> Mentorship:
    # The programme too: the page shows its agreement text and suggested objectives.
    qs = Mentorship.objects.for_user(request.user).select_related("mentor", "mentee", "programme")
    return get_object_or_404(qs, pk=pk)


def _get_objective_for_user(request, pk: int, oid: int) -> Objective:
    qs = Objective.objects.filter(
        mentorship__in=Mentorship.objects.for_user(request.user)
    ).select_related("mentorship__mentor", "mentorship__mentee")
    return get_object_or_404(qs, pk=oid, mentorship_id=pk)


def _get_meeting_for_user(request, pk: int, mid: int) -> Meeting:
    qs = Meeting.objects.filter(
        mentorship__in=Mentorship.objects.for_user(request.user)
    ).select_related("mentorship__mentor", "mentorship__mentee")
    return get_object_or_404(qs, pk=mid, mentorship_id=pk)


# The pair's page: their space (objectives, meetings, notes) and the form that ends the pair.
@login_required
@require_safe
def mentorship_detail(request, pk: int):
    mentorship = _get_mentorship_for_user(request, pk)
    return _render_mentorship(request, mentorship, EndMentorshipForm())


def _pair(request, mentorship: Mentorship) -> dict:
    """The pair and the signed-in person's place in it, for every page of their space."""
    return {
        "mentorship": mentorship,
        "role": mentorship.role_of(request.user),
        "other": mentorship.other_party(request.user),
        "other_name": mentorship.other_name(request.user),
    }


@functools.lru_cache(maxsize=8)
def _blank_end_form(language: str) -> SafeString:
    """The end form's fields as the pair page first shows them, drawn once per language: crispy
    takes about 3 ms for them, and a blank EndMentorshipForm holds nothing but its fixed
    choices and words. A form sent back with errors is drawn afresh."""
    fields = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}")
    return fields.render({"form": EndMentorshipForm()})


@receiver(file_changed, dispatch_uid="blank-end-form-template-changed")
def _forget_end_form(sender, file_path: Path, **kwargs) -> None:
    """In development a changed template is read again without a restart: so is this form."""
    if file_path.suffix == ".html":
        _blank_end_form.cache_clear()


def _render_mentorship(
    request,
    mentorship: Mentorship,
    end_form: EndMentorshipForm,
    message_form: MessageForm | None = None,
    status: int = 200,
):
    ctx = {
        **_pair(request, mentorship),
        "end_form": end_form,
        "blank_end_form": None if end_form.is_bound else _blank_end_form(get_language()),
        **(space := pair_space(mentorship, request.user)),
        # The agreement, its "next meeting due by" and the programme's suggested objectives.
        **agreement_space.pair_context(mentorship, request.user, space["space"]),
        # The mentee's goals, introduction and first message, pinned for them both.
        **briefing.briefing_for(mentorship),
        # The pair's conversation (the request's, continued); showing it marks it read.
        **conversations.thread_context(
            conversations.find_for_mentorship(mentorship),
            request.user,
            post_url=reverse("sessions_log:mentorship-messages", args=[mentorship.pk]),
            form=message_form,
            before=request.GET.get("before"),
        ),
    }
    return render(request, "matching/mentorship_detail.html", ctx, status=status)


@login_required
@require_POST
def mentorship_messages(request, pk: int):
    """A message in the pair's conversation; an ended pair's is read-only."""
    mentorship = _get_mentorship_for_user(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            conversations.post_message(
                conversations.conversation_for_mentorship(mentorship),
                author=request.user,
                body=form.cleaned_data["body"],
                client_token=form.cleaned_data["client_token"],
            )
        except conversations.ConversationError as exc:
            form.add_error("body", str(exc))
        else:
            return redirect(f"{mentorship.get_absolute_url()}#messages")
    return _render_mentorship(request, mentorship, EndMentorshipForm(), form, status=400)


@login_required
@require_POST
def mentorship_end(request, pk: int):
    mentorship = _get_mentorship_for_user(request, pk)
    form = EndMentorshipForm(request.POST)
    if not form.is_valid():
        return _render_mentorship(request, mentorship, form)
    if request.POST.get("step") == "review" and mentorship.is_active:
        # The pair page's form asks first: what ending does and who is told, with the
        # answers carried in hidden fields to the button that ends it.
        return _end_confirmation(request, mentorship, form)
    data = form.cleaned_data
    try:
        ended = matching_services.end_mentorship(
            mentorship,
            by=request.user,
            reason=data["reason"],
            message=data["message"],
            rating=data["rating"],
            feedback=data["feedback"],
        )
    except matching_services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        if ended.ended_by_id == request.user.pk:
            other = ended.other_name(request.user)
            messages.success(
                request,
                gettext("Your mentorship has ended and %(name)s has been told. Thank you.")
                % {"name": other},
            )
        else:
            messages.info(
                request,
                gettext("%(name)s had already ended it.") % {"name": capfirst(ended.ended_by_name)},
            )
    return redirect(mentorship)


def _end_confirmation(request, mentorship: Mentorship, form: EndMentorshipForm):
    cancelled = list(
        Meeting.objects.planned()
        .filter(mentorship=mentorship, starts_at__gt=timezone.now())
        .order_by("starts_at", "pk")
    )
    ctx = {
        **_pair(request, mentorship),
        "form": form,
        "heading": gettext("End your mentorship?"),
        "cancelled_meetings": cancelled,
        "reason": dict(form.fields["reason"].choices).get(form.cleaned_data["reason"], ""),
    }
    return render(request, "sessions_log/mentorship_end_confirm.html", ctx)


def _read_only(request, mentorship: Mentorship):
    """An ended mentorship's space can be read, not changed: send the form back to it."""
    if mentorship.is_active:
        return None
    messages.error(
        request,
        gettext(
            "This mentorship has ended, so its objectives and meetings can no longer be changed."
        ),
    )
    return redirect(mentorship)


def _back(mentorship: Mentorship, anchor: str):
    return redirect(f"{mentorship.get_absolute_url()}#{anchor}")


# Objectives


@login_required
@require_http_methods(["GET", "POST"])
def objective_add(request, pk: int):
    mentorship = _get_mentorship_for_user(request, pk)
    if response := _read_only(request, mentorship):
        return response
    form = ObjectiveForm(request.POST if request.method == "POST" else None, mentorship=mentorship)
    if form.is_bound and form.is_valid():
        try:
            objective = services.add_objective(mentorship, by=request.user, **form.cleaned_data)
        except services.SessionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, gettext("Objective added: %(title)s.") % {"title": objective.title}
            )
            return _back(mentorship, "objectives")
    ctx = {**_pair(request, mentorship), "form": form, "heading": gettext("Add an objective")}
    return render(request, "sessions_log/objective_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request, pk: int, oid: int):
    objective = _get_objective_for_user(request, pk, oid)
    mentorship = objective.mentorship
    if response := _read_only(request, mentorship):
        return response
    form = ObjectiveForm(
        request.POST if request.method == "POST" else None,
        instance=copy.copy(objective),
        mentorship=mentorship,
    )
    if form.is_bound and form.is_valid():
        try:
            services.edit_objective(objective, by=request.user, **form.cleaned_data)
        except services.SessionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Objective saved."))
            return _back(mentorship, f"objective-{objective.pk}")
    ctx = {
        **_pair(request, mentorship),
        "form": form,
        "objective": objective,
        "heading": gettext("Edit the objective"),
    }
    return render(request, "sessions_log/objective_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def objective_update(request, pk: int, oid: int):
    """A new status and/or a dated progress note."""
    objective = _get_objective_for_user(request, pk, oid)
    mentorship = objective.mentorship
    if response := _read_only(request, mentorship):
        return response
    form = ObjectiveUpdateForm(
        request.POST if request.method == "POST" else None, objective=objective
    )
    if form.is_bound and form.is_valid():
        try:
            objective = services.update_objective(objective, by=request.user, **form.cleaned_data)
        except services.SessionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("Progress recorded: %(title)s is %(status)s.")
                % {"title": objective.title, "status": objective.get_status_display().lower()},
            )
            return _back(mentorship, f"objective-{objective.pk}")
    ctx = {
        **_pair(request, mentorship),
        "form": form,
        "objective": objective,
        "heading": gettext("Update progress: %(title)s") % {"title": objective.title},
    }
    return render(request, "sessions_log/objective_update_form.html", ctx)


@login_required
@require_POST
def objective_move(request, pk: int, oid: int):
    objective = _get_objective_for_user(request, pk, oid)
    try:
        services.move_objective(
            objective, by=request.user, direction=request.POST.get("direction", "")
        )
    except services.SessionsError as exc:
        messages.error(request, str(exc))
    return _back(objective.mentorship, f"objective-{objective.pk}")


# Meetings


@login_required
@require_http_methods(["GET", "POST"])
def meeting_add(request, pk: int):
    """Plan a meeting."""
    if request.GET.get("log") == "1":
        # Logging a past meeting had this address with ?log=1; old links still find it.
        return redirect("sessions_log:meeting-log", pk=pk)
    mentorship = _get_mentorship_for_user(request, pk)
    if response := _read_only(request, mentorship):
        return response
    form = PlanMeetingForm(
        request.POST if request.method == "POST" else None, mentorship=mentorship
    )
    if form.is_bound and form.is_valid():
        try:
            meeting = services.plan_meeting(
                mentorship, by=request.user, time_zone=request.user.time_zone, **form.cleaned_data
            )
        except services.SessionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext(
                    "Meeting planned. %(name)s has been emailed. Add it to your own calendar "
                    "with “Add to calendar”."
                )
                % {"name": mentorship.other_name(request.user)},
            )
            return _back(mentorship, f"meeting-{meeting.pk}")
    ctx = {**_pair(request, mentorship), "form": form, "heading": gettext("Plan a meeting")}
    return render(request, "sessions_log/meeting_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_log(request, pk: int):
    """Record a meeting that has already happened."""
    mentorship = _get_mentorship_for_user(request, pk)
    if response := _read_only(request, mentorship):
        return response
    form = LogMeetingForm(request.POST if request.method == "POST" else None, mentorship=mentorship)
    if form.is_bound and form.is_valid():
        try:
            meeting = services.log_meeting(
                mentorship, by=request.user, time_zone=request.user.time_zone, **form.cleaned_data
            )
        except services.SessionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Meeting recorded.") + _advice_done(mentorship))
            return _back(mentorship, f"meeting-{meeting.pk}")
    ctx = {
        **_pair(request, mentorship),
        "form": form,
        "log": True,
        "heading": gettext("Log a past meeting"),
    }
    return render(request, "sessions_log/meeting_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int, mid: int):
    meeting = _get_meeting_for_user(request, pk, mid)
    mentorship = meeting.mentorship
    if response := _read_only(request, mentorship):
        return response
    if not meeting.is_planned:
        messages.error(request, gettext("Only planned meetings can be changed."))
        return _back(mentorship, f"meeting-{meeting.pk}")
    form = PlanMeetingForm(
        request.POST if request.method == "POST" else None,
        instance=copy.copy(meeting),
        mentorship=mentorship,
    )
    if form.is_bound and form.is_valid():
        try:
            services.update_meeting(
                meeting, by=request.user, time_zone=request.user.time_zone, **form.cleaned_data
            )
        except services.SessionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Meeting saved."))
            return _back(mentorship, f"meeting-{meeting.pk}")
    ctx = {
        **_pair(request, mentorship),
        "form": form,
        "meeting": meeting,
        "heading": gettext("Change the meeting"),
    }
    return render(request, "sessions_log/meeting_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_held(request, pk: int, mid: int):
    """Mark a planned meeting held (or correct a held meeting's record)."""
    meeting = _get_meeting_for_user(request, pk, mid)
    mentorship = meeting.mentorship
    if response := _read_only(request, mentorship):
        return response
    if meeting.is_cancelled:
        messages.error(
            request, gettext("This meeting was cancelled. Log the meeting you held instead.")
        )
        return _back(mentorship, "meetings")
    if meeting.is_planned and not meeting.has_started:
        # Said before the summary is written, not after.
        messages.error(request, services.not_started_error(meeting, request.user))
        return _back(mentorship, f"meeting-{meeting.pk}")
    form = HeldMeetingForm(
        request.POST if request.method == "POST" else None,
        instance=copy.copy(meeting),
        mentorship=mentorship,
    )
    if form.is_bound and form.is_valid():
        try:
            services.mark_held(meeting, by=request.user, **form.cleaned_data)
        except services.SessionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, gettext("Meeting recorded as held.") + _advice_done(mentorship)
            )
            return _back(mentorship, f"meeting-{meeting.pk}")
    heading = (
        gettext("Edit the meeting record") if meeting.is_held else gettext("Mark the meeting held")
    )
    ctx = {**_pair(request, mentorship), "form": form, "meeting": meeting, "heading": heading}
    return render(request, "sessions_log/meeting_held_form.html", ctx)


def _advice_done(mentorship: Mentorship) -> str:
    """A one-off advice conversation completes once its meeting is held: what to add to the
    confirmation."""
    if not advice.complete_if_held(mentorship):
        return ""
    return " " + gettext(
        "Your advice conversation is complete. We have emailed you both two quick questions "
        "about how useful it was."
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk: int, mid: int):
    """GET: are you sure? (what happens, who is told), with the button that cancels. POST:
    cancel (twice is harmless)."""
    meeting = _get_meeting_for_user(request, pk, mid)
    if request.method == "GET":
        if response := _read_only(request, meeting.mentorship):
            return response
        if not meeting.is_planned:
            messages.info(
                request,
                gettext("This meeting is %(status)s already.")
                % {"status": meeting.get_status_display().lower()},
            )
            return _back(meeting.mentorship, "meetings")
        ctx = {
            **_pair(request, meeting.mentorship),
            "meeting": meeting,
            "heading": gettext("Cancel this meeting?"),
        }
        return render(request, "sessions_log/meeting_cancel_confirm.html", ctx)
    try:
        services.cancel_meeting(meeting, by=request.user)
    except services.SessionsError as exc:
        messages.error(request, str(exc))
    else:
        other = meeting.mentorship.other_name(request.user)
        messages.success(
            request, gettext("Meeting cancelled. %(name)s has been emailed.") % {"name": other}
        )
    return _back(meeting.mentorship, "meetings")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_note(request, pk: int, mid: int):
    """The signed-in person's own private note on a meeting."""
    meeting = _get_meeting_for_user(request, pk, mid)
    mentorship = meeting.mentorship
    if response := _read_only(request, mentorship):
        return response
    note = MeetingPrivateNote.objects.filter(meeting=meeting, author=request.user).first()
    form = PrivateNoteForm(
        request.POST if request.method == "POST" else None,
        initial={"text": note.text if note else ""},
    )
    if form.is_bound and form.is_valid():
        try:
            saved = services.save_private_note(
                meeting, by=request.user, text=form.cleaned_data["text"]
            )
        except services.SessionsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("Private note saved.") if saved else gettext("Private note deleted."),
            )
            return _back(mentorship, f"meeting-{meeting.pk}")
    ctx = {
        **_pair(request, mentorship),
        "meeting": meeting,
        "form": form,
        "heading": gettext("Your private note"),
    }
    return render(request, "sessions_log/meeting_note_form.html", ctx)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_safe
def meeting_ics(request, pk: int, mid: int):
    meeting = _get_meeting_for_user(request, pk, mid)
    mentorship = meeting.mentorship
    name = calendar.summary(mentorship)
    local = timezone.localtime(meeting.starts_at)
    return _ics_response(
        calendar.calendar_for([meeting], name=name), f"meeting-{local:%Y-%m-%d}.ics"
    )


@never_cache
@require_safe
def meeting_ics_token(request, mid: int, token: str):
    """One meeting's calendar file by the signed link in its emails: no sign-in (a calendar app
    or a phone's mail app has no session). A bad, expired, revoked (the person reset their
    calendar feed) or another meeting's token is a 404."""
    meeting = calendar.meeting_for_ics_token(mid, token)
    if meeting is None:
        raise Http404("No such calendar file.")
    mentorship = meeting.mentorship
    name = calendar.summary(mentorship)
    local = timezone.localtime(meeting.starts_at)
    response = _ics_response(
        calendar.calendar_for([meeting], name=name), f"meeting-{local:%Y-%m-%d}.ics"
    )
    response["X-Robots-Tag"] = "noindex"
    return response


# Calendar feed


@login_required
@require_safe
def calendar_feed_detail(request):
    feed = services.calendar_feed_for(request.user)
    ctx = {"feed": feed, "feed_url": request.build_absolute_uri(feed.get_absolute_url())}
    return render(request, "sessions_log/calendar_feed.html", ctx)


@login_required
@require_POST
def calendar_feed_reset(request):
    services.reset_calendar_feed(request.user)
    messages.success(
        request,
        gettext(
            "Your calendar feed has a new address. The old one no longer works: subscribe again "
            "with the new one."
        ),
    )
    return redirect("sessions_log:calendar-feed-detail")


@never_cache
@require_safe
def calendar_feed(request, token: str):
    """A person's meetings as a calendar subscription. No sign-in: the token is the secret."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar feed.")
    body = calendar.calendar_for(
        calendar.feed_meetings(feed.user),
        name=gettext("Mentoring meetings (%(name)s)") % {"name": feed.user.full_name},
    )
    response = HttpResponse(body, content_type=calendar.CONTENT_TYPE)
    response["X-Robots-Tag"] = "noindex"
    return response


# Check-ins


@never_cache
@require_http_methods(["GET", "POST"])
def check_in_answer(request, token: str):
    """The check-in survey from the email. No sign-in is needed: the token names the person
    (sessions_log.check_in_links); someone signed in as another person gets a 404."""
    check_in = (
        CheckIn.objects.select_related("mentorship__mentor", "mentorship__mentee", "person")
        .filter(token=token)
        .first()
    )
    # The token is looked up first: only misses are counted and refused, so someone guessing
    # from a shared address does not lock out the others there who hold a real link.
    if check_in is None and check_in_links.too_many_misses(request):
        return render(request, "sessions_log/check_in_too_many.html", status=429)
    signed_in = request.user.is_authenticated
    if (
        check_in is None
        or not check_in.person.is_active
        or (signed_in and check_in.person_id != request.user.pk)
    ):
        if check_in is None:
            check_in_links.count_miss(request)
        raise Http404("No such check-in.")
    person = check_in.person
    state = "answered" if check_in.is_answered else "expired" if check_in.is_expired() else "open"
    form_class = (
        advice.AdviceFeedbackForm if check_in.kind == CheckIn.Kind.ADVICE_FEEDBACK else CheckInForm
    )
    form = (
        form_class(request.POST if request.method == "POST" else None) if state == "open" else None
    )
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.answer_check_in(check_in, by=person, **form.cleaned_data)
        except services.SessionsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, gettext("Thank you: your answer has reached the scheme team.")
            )
        return redirect(reverse("sessions_log:check-in-answer", args=[token]))
    mentorship = check_in.mentorship
    ctx = {
        "mentorship": mentorship,
        "other": mentorship.other_party(person),
        "other_name": mentorship.other_name(person),
        "signed_in": signed_in,
        "check_in": check_in,
        "form": form,
        "state": state,
    }
    response = render(request, "sessions_log/check_in_form.html", ctx)
    response["X-Robots-Tag"] = "noindex"
    return response
