"""Who is signing in from where: the client address django-axes counts failures against,
and a sign-in form that refuses what no account could match before anything is counted."""

import ipaddress

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest


def _address(hop: str) -> str | None:
    """An IP address from a forwarded hop, without a port ("10.0.0.1:443", "[::1]:80");
    None for anything else ("unknown", a host name, garbage)."""
    candidate = hop
    if hop.startswith("[") and "]" in hop:
        candidate = hop[1 : hop.index("]")]
    elif hop.count(":") == 1:
        candidate = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


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
        # A proxy that writes "unknown" or a port must not break sign-in (the address is
        # stored in an inet column): fall back to the connection's address.
        address = _address(hops[-proxies])
        if address is not None:
            return address
    return request.META.get("REMOTE_ADDR")


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the username's length enforced before authentication:
    Django only sets it on the widget, so a 5,000-character name reached the lockout
    records (a 255-character column) and failed with a database error."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))

    def clean(self):
        if self.errors.get("username"):
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return super().clean()
