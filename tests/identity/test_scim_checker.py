"""SCIM checked against RFC 7643/7644 by scim2-tester, on the live server over HTTP."""

from typing import Any

import httpx
import pytest
from scim2_client.client import BaseSyncSCIMClient
from scim2_tester import Status, check_server

from initiatives.identity.scim import scim_token_create

pytestmark = pytest.mark.django_db(transaction=True)

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.SKIPPED}

# Where the portal departs from RFC 7644 on purpose, and why.
KNOWN_DEVIATIONS = {
    # DELETE deactivates a person and never deletes them: their name stays on every history
    # row, and the provider still finds them (active false), so the check that a deleted
    # resource is gone (section 3.6) fails.
    ("User", "object_deletion", "still exists after deletion"),
    # `active` may be replaced (true or false), not removed: a person is active or not.
    ("User", "check_remove_attribute", "remove attribute 'active'"),
}


def known(result) -> bool:
    return any(
        (result.resource_type, result.title) == (resource_type, title) and text in result.reason
        for resource_type, title, text in KNOWN_DEVIATIONS
    )


class HttpxSCIMClient(BaseSyncSCIMClient):
    """scim2-client's network engine wants the httpx2 package; this is the same engine on
    httpx, which the portal already has."""

    def __init__(self, client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        url = self.client.build_request("GET", endpoint).url
        return (url.scheme, url.host, url.port) == (
            base.scheme,
            base.host,
            base.port,
        ) and url.raw_path.startswith(base.raw_path)

    def _parse_json(self, response):
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any):
        return self.client.request(method, url, **kwargs)


def test_every_check_of_the_scim_conformance_checker_passes(live_server):
    token = scim_token_create(name="scim2-tester")
    http = httpx.Client(
        base_url=f"{live_server.url}/scim/v2/", headers={"Authorization": f"Bearer {token}"}
    )
    results = check_server(HttpxSCIMClient(http))
    failed = [
        f"{r.resource_type or '-'}: {r.title}: {r.status.name}: {r.reason}"
        for r in results
        if r.status not in PASSING and not known(r)
    ]
    assert len(results) > 10
    assert not failed, "\n".join(failed)
