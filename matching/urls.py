from django.urls import path

from matching import availability_views, engagement_views, inbound, views

app_name = "matching"

urlpatterns = [
    path("inbound/email/", inbound.inbound_email, name="inbound-email"),
    # A mentor's page: what a mentee reads before pressing Interested, and the box itself.
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor-detail"),
    # A mentor's availability: away until a date, and the cap on waiting requests.
    path("profile/mentor/away/", availability_views.mentor_away, name="mentor-away"),
    path("mentors/<int:pk>/interested/", views.request_create, name="request-create"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request-accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request-decline"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/report/", views.request_report, name="request-report"),
    path("requests/<int:pk>/messages/", views.request_messages, name="request-messages"),
    path("mentorships/", views.mentorship_list, name="mentorship-list"),
    path("mentorships/informal/", engagement_views.informal_record, name="informal-record"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:pk>/report/", views.message_report, name="message-report"),
]
