"""``Cache-Control: no-store`` on every response that may show personal data.

Which pages show personal data changes with every feature (upload details,
rows to fix, the graduates' pages, the alumni network, the audit log, the
graduate's own page behind the link…), so instead of decorating each view this
middleware decides by who asks: every response to a signed-in user, and every
response under the personal survey link (``/s/…``, where the link itself is
the credential), is marked ``no-store, private`` — no browser cache, no
shared proxy keeps a copy. A view that already set ``no-store`` keeps its own
header. Static files never get here (WhiteNoise answers them earlier), so they
stay cacheable.
"""

from django.db import DatabaseError
from django.utils.cache import add_never_cache_headers

#: Paths of the graduate's personal link (surveys/link/urls.py): public, but personal.
PERSONAL_LINK_PREFIXES = ("/s/",)


def needs_no_store(request) -> bool:
    if request.path_info.startswith(PERSONAL_LINK_PREFIXES):
        return True
    user = getattr(request, "user", None)
    try:
        return user is not None and user.is_authenticated
    except DatabaseError:
        return True  # the session cannot be read (database down): assume the worst, answer as private


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if needs_no_store(request):
            # max-age=0, no-cache, no-store, must-revalidate, private (and Expires).
            add_never_cache_headers(response)
        return response
