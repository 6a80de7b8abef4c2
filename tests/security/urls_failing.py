"""The site's URLconf plus a view that fails, for the 500 page test."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def failing_view(request):
    raise RuntimeError("boom: SECRET-DETAIL-in-the-exception /work/main/config/settings.py")


urlpatterns = [*site_urlpatterns, path("fail/", failing_view)]
