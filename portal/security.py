"""Who is signing in from where: the client address django-axes counts failures against."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the portal's own proxies saw it.

    Each of the PORTAL_TRUSTED_PROXY_COUNT proxies in front of the portal appends the
    address it received the request from to X-Forwarded-For, so the client is the N-th
    entry from the right; whatever a client wrote further left is its own claim and is
    ignored. Without proxies (or with fewer entries than proxies, i.e. a request that did
    not come through them) the connection's own address counts.
    """
    proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies > 0 and len(hops) >= proxies:
        return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
