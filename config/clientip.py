"""The client's address, for the guessing limit and the audit log alike.

Behind a reverse proxy every request comes from the proxy, so set
``SURVEYS_CLIENT_IP_HEADER`` to the header it sets (e.g. ``HTTP_X_REAL_IP``
or ``HTTP_X_FORWARDED_FOR``): its last address is the one the proxy itself
saw (earlier ones are whatever the client claimed). Without it, the socket's
peer address.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    header = settings.SURVEYS_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    if value:
        return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_address(request) -> str | None:
    """:func:`client_ip` as a valid IP address, or ``None`` when there is none.

    For what stores the address in an ``inet`` column on PostgreSQL (the
    audit log, django-axes' attempts and logs): a request built without a
    peer address (the test client's ``force_login``) or a header holding
    something else would otherwise make the INSERT fail, and with it the
    login or the page being logged.
    """
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None
