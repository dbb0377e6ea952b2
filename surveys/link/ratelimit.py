"""A per-client limit on guessing survey links.

Tokens carry 256 random bits, so guessing one is hopeless; the limit exists so
that nobody can try at scale (and so that a scanner cannot load the site).
Each lookup of an unknown token counts against the client's IP address in a
fixed window; once a client has ``SURVEYS_GUESS_LIMIT`` misses in the window,
its unknown links get a friendly "too many attempts" page (429) until the
window ends. Valid links always open, also from a blocked address: one
school computer room or a mobile carrier's shared address must not lock a
whole class out because one graduate mistyped a link. (That a valid link
still opens tells a guesser nothing useful: finding one is the hopeless
part.)

The counters live in Django's ``default`` cache: Redis when ``REDIS_URL`` is
set (production, CI), shared by every web process; otherwise the process's
memory (``make run``), exact for ``runserver``. If the cache cannot be
reached, the link works (fail open) and a warning is logged: an outage of
Redis must not lock graduates out of the survey.

Clients are told apart by ``config.clientip`` (set ``SURVEYS_CLIENT_IP_HEADER``
behind a reverse proxy).
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches

log = logging.getLogger(__name__)


def limit() -> int:
    return settings.SURVEYS_GUESS_LIMIT


def window_seconds() -> int:
    return settings.SURVEYS_GUESS_WINDOW_SECONDS


def _key(ip: str) -> str:
    window = int(time.time() // window_seconds())
    return f"{settings.SURVEYS_GUESS_KEY_PREFIX}:{ip}:{window}"


def is_blocked(ip: str) -> bool:
    try:
        return (caches["default"].get(_key(ip)) or 0) >= limit()
    except Exception:  # fail open, see the module doc
        log.warning("survey link rate limit: counter unavailable", exc_info=True)
        return False


def record_miss(ip: str) -> int:
    """Count one unknown-token lookup; returns the count in this window."""
    cache, key = caches["default"], _key(ip)
    try:
        cache.add(key, 0, timeout=window_seconds() + 60)  # the key never lives without its expiry
        return cache.incr(key)
    except Exception:  # fail open, see the module doc
        log.warning("survey link rate limit: counter unavailable", exc_info=True)
        return 0
