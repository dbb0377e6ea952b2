"""The site's URLconf plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config.urls import urlpatterns as site_patterns


def boom(request):
    raise RuntimeError("secret detail that must not reach the page")


def forbidden(request):
    raise PermissionDenied("internal reason that must not reach the page")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    *site_patterns,
]
