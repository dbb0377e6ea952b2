"""Django settings *and* URLconf for bench/survey.py's gunicorn server.

The product's settings (``config.settings.local``, read from the environment,
with DEBUG off) and URLs, plus two views of the benchmark's own:

* ``trivial``: the baseline the survey pages are compared with (same server,
  same middleware, no database, no template);
* ``floor``: what every survey page must do at the least, and nothing more —
  the guessing limit's check, the link's read (the product's own statement)
  and, for a POST, one prepared single-row write. Its ratio to the trivial
  view is the ceiling for any questionnaire on the same machine.

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

FLOOR_PAGE = b"<!doctype html>" + b"." * 4850  # a survey page's size (~4.9 KB)


def floor(request, token, page):
    """The least a survey page can do (see the module doc): no questionnaire,
    form, answers or template. The write is the cheapest there is: one
    column of the invitation's row (no trigger, unlike the answers' row)."""
    from django.db import connections
    from django.http import HttpResponseRedirect

    from surveys import link_sql, ratelimit

    if ratelimit.is_blocked(ratelimit.client_ip(request)):
        return HttpResponse(status=429)
    invitation = link_sql.invitation_by_token(token)
    if invitation is None:
        return HttpResponse(status=404)
    if request.method == "POST":
        db = connections["default"]
        with db.cursor() as cursor:
            sql = "UPDATE surveys_invitation SET opened_at = now() WHERE id = %s"
            link_sql.execute_prepared(db, cursor, sql, [invitation.id])
        return HttpResponseRedirect(request.path)
    return HttpResponse(FLOOR_PAGE)


floor.csrf_exempt = True


def __getattr__(name):
    if name == "urlpatterns":
        from django.urls import include, path

        patterns = [
            path("bench/trivial/", trivial),
            path("bench/floor/<str:token>/<slug:page>/", floor),
            path("", include("config.urls")),
        ]
        globals()["urlpatterns"] = patterns
        return patterns
    raise AttributeError(name)
