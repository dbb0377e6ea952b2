"""The client's address, for the guessing limit and the audit log alike.

Behind a reverse proxy every request comes from the proxy, so set
``SURVEYS_CLIENT_IP_HEADER`` to the header it sets (e.g. ``HTTP_X_REAL_IP``
or ``HTTP_X_FORWARDED_FOR``): its last address is the one the proxy itself
saw (earlier ones are whatever the client claimed). Without it, the socket's
peer address.
"""

from django.conf import settings


def client_ip(request) -> str:
    header = settings.SURVEYS_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    if value:
        return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"
