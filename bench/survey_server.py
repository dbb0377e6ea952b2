"""Django settings + URLconf for bench/survey.py's gunicorn server.

The product's settings (``config.settings.local`` read from the environment,
with DEBUG off) and URLs, plus one trivial view as the baseline the survey
pages are compared with: same server, same middleware, no database, no
template. Used only by the benchmark, never by the product.
"""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "survey_server"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405


@csrf_exempt
def trivial(request):
    """The baseline: what the stack costs before any work of our own."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("config.urls")),
]
