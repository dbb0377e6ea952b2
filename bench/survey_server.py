"""Django settings *and* URLconf for bench/survey.py's gunicorn server.

The product's settings (``config.settings.local``, read from the environment,
with DEBUG off) and URLs, plus the benchmark's baseline: ``trivial``, the view
the survey pages are compared with (same server, same middleware, no
database, no template).

Used only by the benchmark, never by the product.

The module is loaded as settings before Django's apps are ready, so the URL
patterns are built on first use (module ``__getattr__``), not at import.
"""

from django.http import HttpResponse

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "survey_server"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405


def trivial(request):
    """The baseline: what the stack costs before any work of our own."""
    return HttpResponse(b"ok", content_type="text/plain")


trivial.csrf_exempt = True  # what @csrf_exempt sets; the decorator's module needs the apps


def __getattr__(name):
    if name == "urlpatterns":
        from django.urls import include, path

        patterns = [
            path("bench/trivial/", trivial),
            path("", include("config.urls")),
        ]
        globals()["urlpatterns"] = patterns
        return patterns
    raise AttributeError(name)
