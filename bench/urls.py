"""The app's URLs plus `/bench/ping`, the baseline: the full middleware stack, no database."""

from django.http import HttpResponse
from django.urls import path

from mentoring.urls import urlpatterns as app_urlpatterns


def ping(request):
    return HttpResponse(b"pong", content_type="text/plain")


urlpatterns = [path("bench/ping", ping), *app_urlpatterns]
