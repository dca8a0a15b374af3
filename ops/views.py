"""Liveness, readiness and metrics: for load balancers, orchestrators and Prometheus.

None of them needs a signed-in user; /metrics needs the bearer token from
PORTAL_METRICS_TOKEN and does not exist (404) while none is configured.
"""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from ops import checks, metrics


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """The process answers. Nothing else is checked: a restart would not fix a database."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    """Ready for traffic: database and broker reachable, every migration applied."""
    results = checks.readiness()
    ready = all(result.ok for result in results)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {result.name: result.as_dict() for result in results},
    }
    if not ready:
        body["failed"] = [result.name for result in results if not result.ok]
    return JsonResponse(body, status=200 if ready else 503)


@login_not_required
@never_cache
@require_GET
def metrics_view(request):
    expected = settings.PORTAL_METRICS_TOKEN
    if not expected:
        raise Http404("Metrics are off: PORTAL_METRICS_TOKEN is not set.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        response = HttpResponse("A valid bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
