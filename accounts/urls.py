from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/time-zone/", views.time_zone_edit, name="time-zone-edit"),
    path("profile/email/", views.email_preferences, name="email-preferences"),
]
