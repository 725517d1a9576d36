"""R0's one URL, at the same path as the app's own ping so the bench finds both the same way."""

from django.http import HttpResponse
from django.urls import path


def ping(request):
    return HttpResponse(b"pong", content_type="text/plain")


urlpatterns = [path("bench/ping", ping)]
