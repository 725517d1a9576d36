from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.staff import has_staff_access
from matching import conversations, engagement_rules, engagements, selectors, services
from matching.engagement_forms import EngagementInterestedForm
from matching.forms import AcceptForm, DeclineForm, ReportForm
from matching.message_forms import MessageForm, MessageReportForm
from matching.models import Conversation, Engagement, Mentorship, MentorshipRequest, Message
from profiles import selectors as profile_selectors
from profiles.models import Membership, MenteeProfile, Programme


def _get_request_for_user(request, pk: int) -> MentorshipRequest:
    qs = MentorshipRequest.objects.for_user(request.user).select_related(
        "mentee", "mentor", "report", "programme"
    )
    return get_object_or_404(qs, pk=pk)


def _coordinates_mentor(user, profile) -> bool:
    """Staff see a mentor's page when the mentor is in (or asks to join) a programme they
    coordinate; a superuser sees any."""
    if not has_staff_access(user):
        return False
    return user.is_superuser or (
        Membership.objects.current()
        .mentors()
        .filter(user=profile.user_id, programme__in=Programme.objects.coordinated_by(user))
        .exists()
    )


def _mentor_for_viewer(request, pk: int, *, listed_only: bool = False):
    """A mentor's profile as the viewer may see it, what they may do with it, and what they
    already have with the mentor; 404 when it is none of their business (another programme's
    mentor, or the mentee's manager or colleague where the programme keeps them apart)."""
    profile = profile_selectors.mentor_for_viewer(pk, request.user)
    # A mentor away until a date is unlisted, but their page says so (and when they are back).
    if profile is None or (listed_only and not profile.is_listed and profile.away_until is None):
        raise Http404("No such mentor.")
    state = selectors.viewer_state(request.user, profile.user_id)
    access = selectors.mentor_access(
        profile, request.user, state, is_staff=_coordinates_mentor(request.user, profile)
    )
    if not access.visible:
        raise Http404("No such mentor.")
    return profile, state, access


@login_required
@require_safe
def mentor_detail(request, pk: int):
    """A mentor's profile, with the Interested box saying what the viewer may do now."""
    profile, state, access = _mentor_for_viewer(request, pk)
    ctx = {
        "profile": profile,
        "interest": (interest := selectors.interest_state(profile, request.user, state, access)),
        "advice_offered": Engagement.ADVICE
        in selectors.engagement_offers(profile, state, access, interest["state"]),
        # The Interested button is shown disabled, with the reason, in these states.
        "refusal_states": selectors.REFUSAL_STATES,
        # "Save to my shortlist": for a mentee who could be paired with this listed mentor.
        "may_shortlist": bool(access.programmes)
        and profile.is_listed
        and profile.user_id != request.user.pk,
    }
    return render(request, "profiles/mentor_detail.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request, pk: int):
    """The Interested form on a mentor's profile: in which programme (when the two share
    several) and the message."""
    profile, state, access = _mentor_for_viewer(request, pk, listed_only=True)
    interest = selectors.interest_state(profile, request.user, state, access)
    # Long-term mentoring, one advice conversation, or both (matching.engagement_rules).
    offers = selectors.engagement_offers(profile, state, access, interest["state"])
    if request.method == "GET" and not offers:
        # Why they cannot ask now, before they write anything.
        ctx = {"profile": profile, "interest": interest}
        return render(request, "matching/request_form.html", ctx)
    form = EngagementInterestedForm(
        request.POST if request.method == "POST" else None,
        programmes=access.programmes,
        mentor_name=profile.user.get_short_name(),
        # Nothing on offer now (e.g. the request this POST repeats is waiting): the posted
        # engagement goes to the service, which finds a double submit or says why not.
        offers=offers
        or [
            Engagement.ADVICE.value
            if request.POST.get("engagement") == Engagement.ADVICE
            else Engagement.LONG_TERM.value
        ],
        initial={"engagement": request.GET.get("engagement", "")},
    )
    if form.is_bound and form.is_valid():
        try:
            req = services.send_request(
                mentee=request.user,
                mentor=profile.user,
                message=form.cleaned_data["message"],
                programme=form.cleaned_data.get("programme"),
                engagement=form.cleaned_data["engagement"],
                topic=form.cleaned_data.get("topic", ""),
            )
        except services.MatchingError as exc:
            form.add_error("programme" if form.asks_programme else None, str(exc))
        else:
            hold = settings.REQUEST_EMAIL_HOLD_MINUTES
            name = profile.user.full_name
            if hold:
                done = ngettext(
                    "Your request is on its way: %(name)s will be emailed in %(minutes)d minute "
                    "(withdraw before then and they are not told). You will hear by email when "
                    "they answer.",
                    "Your request is on its way: %(name)s will be emailed in %(minutes)d minutes "
                    "(withdraw before then and they are not told). You will hear by email when "
                    "they answer.",
                    hold,
                ) % {"name": name, "minutes": hold}
            else:
                done = gettext(
                    "Your request is on its way: %(name)s has been emailed. You will hear by "
                    "email when they answer."
                ) % {"name": name}
            messages.success(request, done)
            return redirect(req)
    ctx = {"form": form, "profile": profile, "interest": interest, "offers": offers}
    return render(request, "matching/request_form.html", ctx)


@login_required
@require_safe
def request_list(request):
    sent, received = selectors.requests_for(request.user)
    ctx = {
        "sent": sent,
        "received": received,
        "show_programme": selectors.in_several_programmes(request.user),
    }
    return render(request, "matching/request_list.html", ctx)


@login_required
@require_safe
def request_detail(request, pk: int):
    req = _get_request_for_user(request, pk)
    return _render_request(request, req, DeclineForm())


def _render_request(
    request,
    req: MentorshipRequest,
    decline_form: DeclineForm,
    report_form: ReportForm | None = None,
    status: int = 200,
    message_form: MessageForm | None = None,
    accept_form: AcceptForm | None = None,
):
    is_mentor = req.mentor_id == request.user.pk
    # Who answers and who may withdraw: for an informal pair the mentor recorded, the mentee
    # confirms (matching.engagement_rules).
    is_answerer = engagement_rules.answerer_id(req) == request.user.pk
    can_withdraw = engagement_rules.recorder_id(req) == request.user.pk and req.is_pending
    mentee_profile = None
    if is_mentor:
        mentee_profile = (
            MenteeProfile.objects.filter(user=req.mentee).prefetch_related("areas").first()
        )
    ctx = {
        "req": req,
        "show_programme": selectors.in_several_programmes(request.user),
        "is_mentor": is_mentor,
        "mentee_profile": mentee_profile,
        "decline_form": decline_form,
        "accept_form": accept_form
        or AcceptForm(mentee_name=req.mentee.get_short_name() if req.mentee_id else ""),
        "can_answer": is_answerer and req.is_pending,
        "is_answerer": is_answerer,
        "can_withdraw": can_withdraw,
        # Withdrawn inside the hold, the mentor is never emailed about the request at all.
        "mentor_unaware": can_withdraw and selectors.request_email_held(req),
        "report": getattr(req, "report", None) if is_mentor else None,
        "can_report": is_mentor
        and not req.sent_by_mentor
        and req.status != MentorshipRequest.Status.ACCEPTED,
        "report_form": report_form or ReportForm(prefix="report"),
        "mentorship_id": getattr(getattr(req, "mentorship", None), "pk", None)
        if req.status == MentorshipRequest.Status.ACCEPTED
        else None,
    }
    conversation = conversations.find_for_request(req)
    if req.is_pending:
        ctx["expires_at"] = selectors.request_expires_at(req, conversation.last_message_at)
    if (
        conversation.mentorship_id is None and ctx["mentorship_id"] is None
    ):  # once a pair, the thread goes on in its space
        ctx.update(
            conversations.thread_context(
                conversation,
                request.user,
                post_url=reverse("matching:request-messages", args=[req.pk]),
                form=message_form,
                before=request.GET.get("before"),
            )
        )
    else:
        ctx["conversation"] = conversation
    return render(request, "matching/request_detail.html", ctx, status=status)


@login_required
@require_POST
def request_accept(request, pk: int):
    req = _get_request_for_user(request, pk)
    form = AcceptForm(
        request.POST, mentee_name=req.mentee.get_short_name() if req.mentee_id else ""
    )
    if not form.is_valid():
        return _render_request(request, req, DeclineForm(), accept_form=form, status=400)
    try:
        req = services.accept_request(req, by=request.user, welcome=form.cleaned_data["welcome"])
    except services.MatchingError as exc:
        messages.error(request, str(exc))
        return redirect(req)
    if req.engagement == Engagement.ADVICE:
        done = gettext(
            "You have accepted %(name)s's request for one conversation. Plan it here."
        ) % {"name": req.mentee_name}
    elif req.engagement == Engagement.INFORMAL:
        done = gettext("Confirmed: your informal pair has its own space here.")
    else:
        done = gettext("You are now %(name)s's mentor. They will arrange your first meeting.") % {
            "name": req.mentee_name
        }
    messages.success(request, done)
    return redirect(req.mentorship)


@login_required
@require_POST
def request_decline(request, pk: int):
    req = _get_request_for_user(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _render_request(request, req, form)
    try:
        services.decline_request(
            req,
            by=request.user,
            reason=form.cleaned_data["reason"],
            message=form.cleaned_data["message"],
        )
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("You have declined %(name)s's request. Thank you for answering.")
            % {"name": req.mentee_name},
        )
    return redirect(req)


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request, pk: int):
    """GET: are you sure? (what happens, who is told), with the button that withdraws. POST:
    withdraw (twice is harmless)."""
    req = _get_request_for_user(request, pk)
    if request.method == "GET":
        if engagement_rules.recorder_id(req) != request.user.pk or not req.is_pending:
            messages.info(
                request, gettext("There is nothing to withdraw: this request is not waiting.")
            )
            return redirect(req)
        ctx = {
            "req": req,
            "heading": gettext("Withdraw your request?"),
            "mentor_unaware": selectors.request_email_held(req),
        }
        return render(request, "matching/request_withdraw_confirm.html", ctx)
    try:
        services.withdraw_request(req, by=request.user)
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("You have withdrawn your request to %(name)s.") % {"name": req.mentor_name},
        )
    return redirect(req)


@login_required
@require_POST
def request_report(request, pk: int):
    req = _get_request_for_user(request, pk)
    form = ReportForm(request.POST, prefix="report")
    if not form.is_valid():
        return _render_request(request, req, DeclineForm(), form)
    try:
        services.report_request(req, by=request.user, reason=form.cleaned_data["reason"])
    except services.MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext(
                "Thank you for telling us. The scheme team has your report, and %(name)s "
                "cannot ask you again."
            )
            % {"name": req.mentee_name},
        )
    return redirect(req)


@login_required
@require_safe
def mentorship_list(request):
    mentorships = [
        (m, m.role_of(request.user) == "mentor", m.other_name(request.user))
        for m in Mentorship.objects.for_user(request.user).select_related(
            "mentor", "mentee", "programme"
        )[:200]
    ]
    ctx = {
        "mentorships": mentorships,
        "show_programme": selectors.in_several_programmes(request.user),
        "can_record_informal": bool(engagements.informal_programmes(request.user)),
    }
    return render(request, "matching/mentorship_list.html", ctx)


@login_required
@require_POST
def request_messages(request, pk: int):
    """A message in a request's conversation (a mentor's question before answering, or the
    mentee's reply)."""
    req = _get_request_for_user(request, pk)
    conversation = conversations.conversation_for_request(req)
    if conversation.mentorship_id is not None:
        return redirect(conversations.conversation_url(conversation))
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            conversations.post_message(
                conversation,
                author=request.user,
                body=form.cleaned_data["body"],
                client_token=form.cleaned_data["client_token"],
            )
        except conversations.ConversationError as exc:
            form.add_error("body", str(exc))
        else:
            return redirect(f"{req.get_absolute_url()}#messages")
    return _render_request(request, req, DeclineForm(), status=400, message_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def message_report(request, pk: int):
    """Report the other person's message to the programme's coordinators (a small form; the
    conversation page carries it too)."""
    message = get_object_or_404(
        Message.objects.select_related("conversation", "report").filter(
            conversation__in=Conversation.objects.for_user(request.user)
        ),
        pk=pk,
    )
    conversation = message.conversation
    back = f"{conversations.conversation_url(conversation)}#message-{message.pk}"
    if message.author_id == request.user.pk or message.author_id is None:
        raise Http404("No such message.")
    form = MessageReportForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            conversations.report_message(
                message, by=request.user, reason=form.cleaned_data["reason"]
            )
        except conversations.ConversationError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(
                request,
                gettext(
                    "Thank you for telling us. The programme's coordinators have your report "
                    "and can read this message (and only this one)."
                ),
            )
            return redirect(back)
    ctx = {"form": form, "message": message, "back": back}
    return render(
        request, "matching/message_report_form.html", ctx, status=400 if form.is_bound else 200
    )


@login_required
@require_safe
def inbox(request):
    """My conversations, newest first, each with the other person, the last message's start
    and whether it is unread: a constant number of queries whatever their number."""
    paginator = Paginator(conversations.inbox(request.user), conversations.INBOX_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "conversation": c,
            "other_name": conversations.other_name(c, request.user),
            "unread": conversations.is_unread(c, request.user),
            "url": conversations.conversation_url(c),
            "mine_last": c.last_author_id == request.user.pk,
        }
        for c in page.object_list
    ]
    ctx = {
        "page": page,
        "rows": rows,
        "show_programme": selectors.in_several_programmes(request.user),
    }
    return render(request, "matching/inbox.html", ctx)
