from django.urls import path

from profiles import guidance_views, invitation_views, shortlist_views, staff_edits, views

app_name = "profiles"

urlpatterns = [
    path("mentors/", views.directory, name="directory"),
    path("mentors/shortlist/", shortlist_views.shortlist_page, name="shortlist"),
    path("mentors/<int:pk>/save/", shortlist_views.shortlist_save, name="shortlist-save"),
    path("mentors/<int:pk>/unsave/", shortlist_views.shortlist_remove, name="shortlist-remove"),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme-detail"),
    path("programmes/<slug:slug>/join/", views.programme_join, name="programme-join"),
    path(
        "programmes/<slug:slug>/join/<str:token>/",
        views.programme_invitation,
        name="programme-invitation",
    ),
    path(
        "programmes/<slug:slug>/invitation/<str:token>/",
        invitation_views.programme_invited,
        name="programme-invited",
    ),
    path("programmes/<slug:slug>/leave/", views.programme_leave, name="programme-leave"),
    path(
        "programmes/<slug:slug>/training/",
        guidance_views.training_list,
        name="programme-training",
    ),
    path(
        "programmes/<slug:slug>/training/<int:pk>/done/",
        guidance_views.training_done,
        name="programme-training-done",
    ),
    path("programmes/<slug:slug>/handbook/", guidance_views.handbook_index, name="handbook"),
    path(
        "programmes/<slug:slug>/handbook/<slug:page>/",
        guidance_views.handbook_page,
        name="handbook-page",
    ),
    path("programmes/<slug:slug>/apply/", views.programme_apply, name="programme-apply"),
    path("profile/start/", views.start, name="start"),
    path("profile/mentor/", views.mentor_edit, name="mentor-edit"),
    path("profile/mentor/submit/", views.mentor_submit, name="mentor-submit"),
    path("profile/mentor/active/", views.mentor_active, name="mentor-active"),
    path("profile/mentor/confirm/", views.mentor_confirm, name="mentor-confirm"),
    path("profile/mentor/edits/seen/", staff_edits.mark_seen, name="mentor-edits-seen"),
    path(
        "profile/mentor/confirm/<str:token>/",
        views.mentor_confirm_link,
        name="mentor-confirm-link",
    ),
    path("profile/mentee/", views.mentee_edit, name="mentee-edit"),
]
