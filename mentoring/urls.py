import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from accounts import views as account_views
from mentoring import views
from mentoring.backoffice import views as backoffice

admin.site.login = secure_admin_login(admin.site.login)


def _media(request, path: str):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def _favicon(request):
    return HttpResponsePermanentRedirect(static_url("favicon.svg"))


admin.site.site_header = "Mentoring scheme administration"
admin.site.site_title = "Mentoring admin"
# No app list down the side of every page: at 1280 px it took a fifth of the width, pushing a
# list's key columns off-screen; the dashboard (/admin/) lists everything, and breadcrumbs lead
# back to it.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    # Browsers that ask for /favicon.ico whatever the page says get the SVG mark.
    path("favicon.ico", _favicon),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("accounts/", include("allauth.urls")),
    # The language switcher (Django's set_language, which also saves a signed-in person's choice).
    path("i18n/setlang/", account_views.set_language, name="set_language"),
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
    path(
        "admin/outbox/<int:pk>/email.html",
        backoffice.outbox_email_html,
        name="admin-outbox-email-html",
    ),
    path("admin/reports/", admin.site.admin_view(backoffice.reports), name="admin-reports"),
    path(
        "admin/reports/pairs.csv",
        admin.site.admin_view(backoffice.report_pairs),
        name="admin-report-pairs",
    ),
    # Before the admin's own, which would redirect any staff member to any object's address.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(backoffice.view_on_site),
    ),
    path("admin/", admin.site.urls),
]
# Uploaded photos from MEDIA_ROOT: in development, and where SERVE_MEDIA=1; otherwise the proxy or
# the storage (an S3-compatible bucket) serves MEDIA_URL (README: "Media files").
if settings.SERVE_MEDIA and "://" not in settings.MEDIA_URL:
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", _media),
    ]
