"""django-scim2's addresses, open to anonymous requests as far as the portal's sign-in rule
goes: each SCIM view answers only to the identity provider's bearer token (`ScimAuthCheck`)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import re_path
from django_scim import urls as scim_urls

app_name = "scim"

urlpatterns = [
    re_path(pattern.pattern.regex.pattern, login_not_required(pattern.callback), name=pattern.name)
    for pattern in scim_urls.urlpatterns
]
