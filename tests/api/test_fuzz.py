"""Schemathesis against the live schema: generated requests (valid and invalid) to every
operation, sent through the whole WSGI app in-process, as a signed-in user with data to see.

Every response must be something other than a server error and must match the schema: its
status code is documented for the operation, its content type and its body conform. The
run is bounded (examples per operation, a deadline per example) so CI stays within its time.
A failure here is a bug in the API (or in its schema), to be fixed there, with a fixed
regression test beside the others (tests/api/test_schema.py).

`make test` runs it deterministically: the same examples every run (Hypothesis derandomized,
the arranged data named the same, the throttle's allowance reset per example), so CI never
passes or fails by luck. To search harder, set CROSSING_FUZZ_EXAMPLES (say 500): the run is
then random, different each time, and much longer.
"""

import os
from datetime import timedelta

import factory.random
import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from initiatives.core.choices import FlagKind, Stage
from tests.factories import (
    AuthTokenFactory,
    BusinessCaseFactory,
    FlagFactory,
    HealthReportFactory,
    InitiativeFactory,
    OwnershipHandoverFactory,
    PromotionRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Per operation and mode (valid requests, invalid ones). 50 keeps the run near 50 s on
# PostgreSQL on CI's machine; raise it locally to search harder.
MAX_EXAMPLES = int(os.environ.get("CROSSING_FUZZ_EXAMPLES", "50"))
RANDOM_SEARCH = "CROSSING_FUZZ_EXAMPLES" in os.environ
DEADLINE = timedelta(seconds=5)  # per example; a slow machine is not a bug
FIXED_ID = 900_001  # handover, promotion request and flag share it: one `id` parameter fits all
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_data(settings):
    """A superuser in governance (so writes get past permissions and reach the services),
    and an initiative with everything that hangs off one."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    factory.random.reseed_random("crossing-fuzz")  # the same names (Faker) every run
    fuzzer = UserFactory(username="fuzzer", is_staff=True, is_superuser=True, governance=True)
    owner = UserFactory(username="owner")
    now = timezone.now()
    initiative = InitiativeFactory(
        slug="fraud-scoring",
        stage=Stage.PILOT,
        production_owner=owner,
        owner_accepted_at=now,
        owner_confirmed_at=now,
        members=[fuzzer],
    )
    other = InitiativeFactory(slug="churn-model", stage=Stage.POC)
    OwnershipHandoverFactory(
        pk=FIXED_ID, initiative=other, to_owner=owner, requested_by=fuzzer, requested_at=now
    )
    PromotionRequestFactory(pk=FIXED_ID, initiative=initiative, requested_by=owner)
    FlagFactory(pk=FIXED_ID, initiative=initiative, kind=FlagKind.STALLED)
    BusinessCaseFactory(initiative=initiative, version=1, created_by=owner, submitted_by=owner)
    HealthReportFactory(
        initiative=initiative, observed_at=now - timedelta(hours=1), availability=99.9
    )
    token = AuthTokenFactory(user=fuzzer).key
    return {"token": token}


PATH_PARAMETERS = {
    # Path parameters name the arranged objects, so requests reach the code behind them
    # instead of stopping at 404; bodies and query strings are generated.
    "slug": "fraud-scoring",
    "initiative_slug": "fraud-scoring",
    "id": FIXED_ID,
    "version": 1,
    "key": "runbook",
}


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, as gunicorn runs it. Like Django's test client, it must not
    close the test's database connection (and with it the test's transaction) at the end of
    each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(api_data, wsgi_app):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        wsgi_app,
        headers={"Authorization": f"Token {api_data['token']}"},
    )


def test_api_answers_generated_requests_as_its_schema_says(api_schema, api_data):
    # schemathesis's pytest plugin does not run under pytest 9 yet; its Python API does.
    headers = {"Authorization": f"Token {api_data['token']}"}
    failures, operations = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        path_parameters = {
            name: value
            for name, value in PATH_PARAMETERS.items()
            if "{" + name + "}" in operation.path
        }
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(mode, path_parameters=path_parameters)

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=MAX_EXAMPLES,
                deadline=DEADLINE,
                suppress_health_check=list(HealthCheck),
                derandomize=not RANDOM_SEARCH,
                database=None,
            )
            def check(case):
                # Each example starts with the throttle's allowance full: the run sends
                # thousands of requests, and past the per-minute rate every operation would
                # answer 429 without reaching its code (and whether it did would depend on
                # how fast the machine is).
                cache.clear()
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:
                # Nothing to make invalid: the operation's only input is the fixed path.
                assert mode is GenerationMode.NEGATIVE, operation.label
            # Report every operation's failures, not only the first (schemathesis groups
            # several into one BaseExceptionGroup).
            except (Exception, BaseExceptionGroup) as failure:
                failures.append(f"{operation.label} ({mode.value}): {failure}")
    assert operations > 30
    assert not failures, "\n\n".join(failures)
