"""django-scim2's addresses, open to anonymous requests as far as the portal's sign-in rule
goes: each SCIM view answers only to the identity provider's bearer token (`ScimAuthCheck`).

The discovery lists are completed where django-scim2 0.23 departs from RFC 7644: a list
response carries totalResults (section 3.4.2), and an unknown schema or resource type is a
404 with a SCIM error body (section 3.12)."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import re_path
from django_scim import constants, exceptions
from django_scim import urls as scim_urls
from django_scim import views as scim_views


class _CompleteListMixin:
    def get(self, request, uuid=None, *args, **kwargs):
        response = super().get(request, uuid, *args, **kwargs)
        if response.status_code == 404:
            error = exceptions.NotFoundError(uuid)
            return HttpResponse(
                json.dumps(error.to_dict()), content_type=constants.SCIM_CONTENT_TYPE, status=404
            )
        if uuid is None:
            doc = json.loads(response.content)
            doc.setdefault("totalResults", len(doc.get("Resources", [])))
            doc.setdefault("itemsPerPage", len(doc.get("Resources", [])))
            doc.setdefault("startIndex", 1)
            response.content = json.dumps(doc)
        elif self.single_schema:
            doc = json.loads(response.content)
            doc.setdefault("schemas", [self.single_schema])
            response.content = json.dumps(doc)
        return response


class ResourceTypesView(_CompleteListMixin, scim_views.ResourceTypesView):
    single_schema = None


class SchemasView(_CompleteListMixin, scim_views.SchemasView):
    single_schema = "urn:ietf:params:scim:schemas:core:2.0:Schema"


class UnknownView(scim_views.SCIMView):
    """Any other address under /scim/v2/: a SCIM 404, to a caller with a valid token."""

    def dispatch_unknown(self, request, *args, **kwargs):
        raise exceptions.NotFoundError(request.path)

    get = post = put = patch = delete = dispatch_unknown


class RootSearchView(scim_views.SCIMView):
    """POST /.search across resource types is not supported: a 501 a client can read."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        raise exceptions.NotImplementedError("Search /Users/.search or /Groups/.search.")


_COMPLETED = {
    "resource-types": ResourceTypesView,
    "schemas": SchemasView,
    "search": RootSearchView,
}

app_name = "scim"

urlpatterns = [
    re_path(
        pattern.pattern.regex.pattern,
        login_not_required(
            _COMPLETED[pattern.name].as_view() if pattern.name in _COMPLETED else pattern.callback
        ),
        name=pattern.name,
    )
    for pattern in scim_urls.urlpatterns
] + [re_path(r"^.*$", login_not_required(UnknownView.as_view()), name="unknown")]
