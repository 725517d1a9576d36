from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/time-zone/", views.time_zone_edit, name="time-zone-edit"),
    path("profile/language/", views.language_edit, name="language-edit"),
    path("profile/email/", views.email_preferences, name="email-preferences"),
    path("profile/data/", views.personal_data, name="personal-data"),
    path("profile/delete/", views.account_delete, name="account-delete"),
    path("privacy/", views.privacy_notice, name="privacy"),
]
