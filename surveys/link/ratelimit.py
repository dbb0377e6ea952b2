"""A per-client limit on guessing survey links.

Tokens carry 256 random bits, so guessing one is hopeless; the limit exists so
that nobody can try (and so that a scanner cannot load the database). Each
lookup of an unknown token counts against the client's IP address in a fixed
window; once a client has ``SURVEYS_GUESS_LIMIT`` misses in the window, every
survey link from that client gets a friendly "too many attempts" page (429)
until the window ends — also a valid link, or the limit would still tell a
guesser when a guess was right.

Where the counter lives (our choice, see the issue):
* with ``REDIS_URL`` set (production, CI): in Redis, shared by every web
  process and machine. Every survey request reads it, so it is read with a
  plain redis-py client (one GET), not through Django's cache API, whose
  RedisCache builds a client per call and pickles values: 167 → 83 µs of
  CPU per check (see docs/benchmarks.md, bench/survey);
* without it (``make run``, tests on SQLite): in Django's ``default`` cache,
  which the embedded setup leaves as the per-process memory cache. That is
  exact for ``runserver``; under several gunicorn workers each worker counts
  on its own, so the effective limit is the limit times the workers.
If the counter cannot be reached, the link works (fail open) and a warning is
logged: an outage of Redis must not lock graduates out of the survey.

Behind a reverse proxy every request comes from the proxy's address: set
``SURVEYS_CLIENT_IP_HEADER`` (e.g. ``HTTP_X_REAL_IP`` or
``HTTP_X_FORWARDED_FOR``; for the latter the last address, the one our proxy
added, is used) so clients are told apart.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches

log = logging.getLogger(__name__)

_redis: tuple[str, "_RedisCounter"] | None = None  # (url, counter), built on first use


def limit() -> int:
    return getattr(settings, "SURVEYS_GUESS_LIMIT", 20)


def window_seconds() -> int:
    return getattr(settings, "SURVEYS_GUESS_WINDOW_SECONDS", 15 * 60)


class _RedisCounter:
    """The counters in Redis: plain integers under the window's key."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def count(self, key: str) -> int:
        return int(self.client.get(key) or 0)

    def add_miss(self, key: str, timeout: int) -> int:
        with self.client.pipeline() as pipe:  # MULTI/EXEC: the key never lives without its expiry
            count, _ = pipe.incr(key).expire(key, timeout).execute()
        return count


class _CacheCounter:
    """The counters in Django's ``default`` cache (the embedded setup's memory)."""

    def count(self, key: str) -> int:
        return caches["default"].get(key) or 0

    def add_miss(self, key: str, timeout: int) -> int:
        cache = caches["default"]
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)


def _counter():
    global _redis
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return _CacheCounter()
    if _redis is None or _redis[0] != url:
        _redis = (url, _RedisCounter(url))
    return _redis[1]


def client_ip(request) -> str:
    header = getattr(settings, "SURVEYS_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    if value:
        return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(ip: str, now: float | None = None) -> str:
    prefix = getattr(settings, "SURVEYS_GUESS_KEY_PREFIX", "survey-link-guess")
    window = int((time.time() if now is None else now) // window_seconds())
    return f"{prefix}:{ip}:{window}"


def is_blocked(ip: str) -> bool:
    try:
        return _counter().count(_key(ip)) >= limit()
    except Exception:  # fail open, see the module doc
        log.warning("survey link rate limit: counter unavailable", exc_info=True)
        return False


def record_miss(ip: str) -> int:
    """Count one unknown-token lookup; returns the count in this window."""
    try:
        return _counter().add_miss(_key(ip), window_seconds() + 60)
    except Exception:  # fail open, see the module doc
        log.warning("survey link rate limit: counter unavailable", exc_info=True)
        return 0
