from django.urls import path

from sessions_log import agreement_views, engagement_views, views

app_name = "sessions_log"

pair = "mentorships/<int:pk>/"
objective = pair + "objectives/<int:oid>/"
meeting = pair + "meetings/<int:mid>/"

urlpatterns = [
    path(pair, views.mentorship_detail, name="mentorship-detail"),
    path(pair + "end/", views.mentorship_end, name="mentorship-end"),
    path(pair + "scheme-emails/", engagement_views.scheme_emails, name="scheme-emails"),
    path(pair + "messages/", views.mentorship_messages, name="mentorship-messages"),
    path(pair + "objectives/add/", views.objective_add, name="objective-add"),
    path(
        pair + "objectives/suggested/",
        agreement_views.objective_suggested_add,
        name="objective-suggested-add",
    ),
    path(objective + "edit/", views.objective_edit, name="objective-edit"),
    path(objective + "update/", views.objective_update, name="objective-update"),
    path(objective + "move/", views.objective_move, name="objective-move"),
    path(pair + "agreement/", agreement_views.agreement_edit, name="agreement-edit"),
    path(
        pair + "agreement/<int:aid>/agree/",
        agreement_views.agreement_agree,
        name="agreement-agree",
    ),
    path(
        pair + "agreement/<int:aid>/withdraw/",
        agreement_views.agreement_withdraw,
        name="agreement-withdraw",
    ),
    path(pair + "meetings/add/", views.meeting_add, name="meeting-add"),
    path(pair + "meetings/log/", views.meeting_log, name="meeting-log"),
    path(meeting + "edit/", views.meeting_edit, name="meeting-edit"),
    path(meeting + "held/", views.meeting_held, name="meeting-held"),
    path(meeting + "cancel/", views.meeting_cancel, name="meeting-cancel"),
    path(meeting + "note/", views.meeting_note, name="meeting-note"),
    path(pair + "meetings/<int:mid>.ics", views.meeting_ics, name="meeting-ics"),
    path(
        "calendar/meetings/<int:mid>/<str:token>.ics",
        views.meeting_ics_token,
        name="meeting-ics-token",
    ),
    path("calendar/", views.calendar_feed_detail, name="calendar-feed-detail"),
    path("calendar/reset/", views.calendar_feed_reset, name="calendar-feed-reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("check-ins/<str:token>/", views.check_in_answer, name="check-in-answer"),
]
