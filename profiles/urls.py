from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("mentors/", views.directory, name="directory"),
    path("profile/start/", views.start, name="start"),
    path("profile/mentor/", views.mentor_edit, name="mentor-edit"),
    path("profile/mentor/submit/", views.mentor_submit, name="mentor-submit"),
    path("profile/mentor/active/", views.mentor_active, name="mentor-active"),
    path("profile/mentor/confirm/", views.mentor_confirm, name="mentor-confirm"),
    path(
        "profile/mentor/confirm/<str:token>/",
        views.mentor_confirm_link,
        name="mentor-confirm-link",
    ),
    path("profile/mentee/", views.mentee_edit, name="mentee-edit"),
]
