"""Every endpoint under /api/v1/, found by walking Django's URL resolver (not the schema).

The schema test, the permission matrix and the list-visibility test compare themselves
with this list, so a new endpoint that any of them forgets fails a test.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1/"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Endpoint:
    name: str  # "api:initiative-list"
    path: str  # "/api/v1/initiatives/{slug}/", as OpenAPI writes it
    methods: frozenset[str]  # what the view answers (besides HEAD and OPTIONS)
    is_list: bool
    view: type  # the view class (a viewset for router routes)


def _route(pattern) -> str:
    text = str(pattern.pattern)
    return _GROUP.sub(r"{\1}", text).lstrip("^").rstrip("$").replace("\\.", ".")


def _methods(callback) -> frozenset[str]:
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a viewset route: its method → action map
        # (DRF adds "head" to this map on the first GET; HEAD and OPTIONS are not counted.)
        return frozenset(m.upper() for m in actions if m.upper() in METHODS)
    view = callback.cls
    return frozenset(m for m in METHODS if hasattr(view, m.lower()))


def _walk(patterns, prefix: str, namespace: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + _route(entry), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + _route(entry), f"{namespace}{entry.name}", entry.callback


def api_endpoints() -> list[Endpoint]:
    endpoints = []
    for path, name, callback in _walk(get_resolver().url_patterns, "/", ""):
        if not path.startswith(API_PREFIX):
            continue
        actions = getattr(callback, "actions", {}) or {}
        endpoints.append(
            Endpoint(
                name,
                path,
                _methods(callback),
                is_list=actions.get("get") == "list",
                view=callback.cls,
            )
        )
    return endpoints
