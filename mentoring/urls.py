from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from mentoring import views
from mentoring.backoffice import views as backoffice

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Mentoring scheme administration"
admin.site.site_title = "Mentoring admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("accounts/", include("allauth.urls")),
    path("", include("profiles.urls")),
    path("", include("matching.urls")),
    path("", include("sessions_log.urls")),
    path("", include("accounts.urls")),
    path("admin/emails/", backoffice.email_previews, name="admin-email-previews"),
    path(
        "admin/emails/<slug:kind>.html",
        backoffice.email_preview_html,
        name="admin-email-preview-html",
    ),
    path("admin/reports/", admin.site.admin_view(backoffice.reports), name="admin-reports"),
    # Before the admin's own, which would redirect any staff member to any object's address.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(backoffice.view_on_site),
    ),
    path("admin/", admin.site.urls),
]
