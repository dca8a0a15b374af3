"""The leaver path end to end: the identity provider deactivates an owner over SCIM (the
PATCH as Entra ID sends it), and through the real worker (on the configured broker, Redis in
CI) the ownerless flag opens and the sponsor and governance get their e-mails over SMTP
within a minute; the owner's token answers 401 and their browser session is signed out at
once."""

import json
import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from initiatives.core.choices import FlagKind, Stage
from initiatives.identity.scim import scim_token_create
from initiatives.models import Flag
from initiatives.ownership import services as ownership
from tests.factories import AuthTokenFactory, InitiativeFactory, UserFactory
from tests.support.clients import client_for
from tests.support.components import require_postgresql, smtp_server, use_smtp, wait_for

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) runs the test SMTP server")

ONE_MINUTE = 60.0


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_an_owner_who_leaves_is_flagged_and_reported_within_a_minute(celery_worker, settings):
    require_postgresql("the worker thread writes flags and e-mails while this test polls them")
    settings.GOVERNANCE_EMAIL = "governance@example.org"
    sponsor = UserFactory(username="sponsor", email="sponsor@example.org")
    owner = UserFactory(username="owner", email="owner@example.org")
    contributor = UserFactory(username="contributor")
    claims = InitiativeFactory(
        name="Claims triage", stage=Stage.PRODUCTION, sponsor=sponsor, members=[contributor]
    )
    handover = ownership.handover_start(initiative=claims, actor=contributor, to_owner=owner)
    ownership.handover_accept(
        handover=handover,
        actor=owner,
        confirms_skills=True,
        confirms_mandate=True,
        confirms_budget=True,
    )
    token = AuthTokenFactory(user=owner)
    browser = client_for(owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/initiatives/").status_code == 200
    assert browser.get("/").status_code == 200

    with smtp_server() as server:
        use_smtp(settings, server)
        started = time.monotonic()
        # The identity provider deactivates the person as Entra ID sends it over SCIM.
        answer = Client().patch(
            f"/scim/v2/Users/{owner.pk}",
            data=json.dumps(
                {
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
                }
            ),
            content_type="application/scim+json",
            headers={"Authorization": f"Bearer {scim_token_create(name='Entra ID')}"},
        )
        assert answer.status_code == 200, answer.content

        # At once, in the same transaction: the token and the session are gone.
        assert api.get("/api/v1/initiatives/").status_code == 401
        response = browser.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

        def reported() -> bool:
            return {m["To"] for m in server.accepted} >= {
                "sponsor@example.org",
                "governance@example.org",
            }

        assert wait_for(reported, timeout=ONE_MINUTE), [m["To"] for m in server.accepted]
        elapsed = time.monotonic() - started

    flag = Flag.objects.get(initiative=claims, resolved_at__isnull=True)
    assert flag.kind == FlagKind.OWNERLESS
    assert flag.reason == "the owner's account (owner) is deactivated"
    subjects = {m["Subject"] for m in server.accepted if m["To"] != "owner@example.org"}
    assert subjects == {"[Crossing] Claims triage has no production owner"}
    assert elapsed < ONE_MINUTE
