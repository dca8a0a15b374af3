"""The portal watches itself: liveness and readiness, Prometheus metrics, structured logs.

Readiness is judged against the real database and broker; "broker down" is a broker URL
with nothing listening behind it, so the check really fails to connect.
"""

import json
import logging

import pytest
import structlog
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from initiatives.core.choices import EmailStatus, FlagKind, Stage
from ops import logging as ops_logging
from ops.metrics import record_task_outcome
from tests.factories import EmailRecordFactory, FlagFactory, InitiativeFactory, UserFactory
from tests.support.components import celery_broker, configured_broker_reachable, free_port

METRICS_TOKEN = "metrics-token-for-tests"


def anonymous() -> Client:
    return Client()


# --- Liveness and readiness -----------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_anyone_without_signing_in():
    response = anonymous().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_when_database_broker_and_migrations_are():
    reachable, reason = configured_broker_reachable()
    if not reachable:
        pytest.skip(reason)
    response = anonymous().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ready",
        "checks": {"database": {"ok": True}, "broker": {"ok": True}, "migrations": {"ok": True}},
    }


@pytest.mark.django_db
def test_readyz_is_not_ready_with_the_broker_down_and_names_it_without_its_password():
    port = free_port()  # nothing listens here
    with celery_broker(f"redis://:broker-password@127.0.0.1:{port}/13"):
        response = anonymous().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False
    assert "Celery broker" in body["checks"]["broker"]["detail"]
    assert body["checks"]["database"] == {"ok": True}
    text = response.content.decode()
    assert "broker-password" not in text
    assert str(port) not in text


@pytest.mark.django_db
def test_readyz_is_not_ready_with_an_unapplied_migration_and_names_it():
    latest = MigrationRecorder.Migration.objects.filter(app="initiatives").order_by("-name")[0]
    latest.delete()  # as if the new code were deployed before `migrate` ran
    response = anonymous().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["migrations"]
    assert f"initiatives.{latest.name}" in body["checks"]["migrations"]["detail"]


# --- Metrics --------------------------------------------------------------------------------


def scrape(client: Client | None = None, token: str = METRICS_TOKEN):
    return (client or anonymous()).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def samples(response) -> dict[tuple, float]:
    """{(name, sorted labels): value} from an exposition page."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.mark.django_db
def test_metrics_do_not_exist_while_no_token_is_configured(settings):
    settings.PORTAL_METRICS_TOKEN = ""
    assert anonymous().get("/metrics").status_code == 404
    assert scrape(token="anything").status_code == 404


@pytest.mark.django_db
def test_metrics_need_the_configured_bearer_token(settings):
    settings.PORTAL_METRICS_TOKEN = METRICS_TOKEN
    missing = anonymous().get("/metrics")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert scrape(token="wrong-token").status_code == 401
    assert (
        anonymous().get("/metrics", HTTP_AUTHORIZATION=f"Token {METRICS_TOKEN}").status_code == 401
    )
    # A signed-in person is no substitute for the token.
    signed_in = Client()
    signed_in.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert signed_in.get("/metrics").status_code == 401
    response = scrape()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_metrics_count_requests_and_latency_per_view_and_database_queries(settings, viewer):
    settings.PORTAL_METRICS_TOKEN = METRICS_TOKEN
    labels = {"view": "initiative-list", "method": "GET"}
    responses = "django_http_responses_total_by_status_view_method_total"
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    queries = {"alias": "default", "vendor": connection.vendor}

    def value(name, **labels_):
        return REGISTRY.get_sample_value(name, labels_) or 0.0

    before = (
        value(responses, status="200", **labels),
        value(latency, **labels),
        value("django_db_execute_total", **queries),
    )
    client = Client()
    client.force_login(viewer)
    assert client.get("/initiatives/").status_code == 200
    after = (
        value(responses, status="200", **labels),
        value(latency, **labels),
        value("django_db_execute_total", **queries),
    )
    assert after[0] == before[0] + 1
    assert after[1] == before[1] + 1
    assert after[2] > before[2]  # the page's queries were counted
    page = samples(scrape())
    assert page[(responses, tuple(sorted({**labels, "status": "200"}.items())))] == after[0]


@pytest.mark.django_db
def test_metrics_show_the_portfolio_as_gauges(settings):
    settings.PORTAL_METRICS_TOKEN = METRICS_TOKEN
    pilots = [InitiativeFactory(stage=Stage.PILOT) for _ in range(3)]
    InitiativeFactory(stage=Stage.PRODUCTION)
    FlagFactory(initiative=pilots[0], kind=FlagKind.OWNERLESS)
    FlagFactory(initiative=pilots[1], kind=FlagKind.OWNERLESS)
    FlagFactory(
        initiative=pilots[2], kind=FlagKind.STALLED, resolved_at=timezone.now()
    )  # resolved: not counted
    for n, status in enumerate(
        [EmailStatus.SENT, EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.PENDING]
    ):
        EmailRecordFactory(
            dedupe_key=f"k{n}", kind="ownerless", recipient="a@example.org", status=status
        )

    page = samples(scrape())

    assert page[("crossing_initiatives", (("stage", "pilot"),))] == 3
    assert page[("crossing_initiatives", (("stage", "production"),))] == 1
    assert page[("crossing_initiatives", (("stage", "idea"),))] == 0
    assert page[("crossing_open_flags", (("kind", "ownerless"),))] == 2
    assert page[("crossing_open_flags", (("kind", "stalled"),))] == 0
    assert page[("crossing_emails", (("status", "sent"),))] == 2
    assert page[("crossing_emails", (("status", "failed"),))] == 1
    assert page[("crossing_emails", (("status", "pending"),))] == 1
    assert page[("crossing_scan_overdue", ())] == 1  # no scan has ever finished


@pytest.mark.django_db
def test_metrics_scrape_queries_do_not_grow_with_the_portfolio(settings):
    settings.PORTAL_METRICS_TOKEN = METRICS_TOKEN

    def queries_for_a_scrape() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert scrape().status_code == 200
        return len(captured)

    InitiativeFactory.create_batch(3, stage=Stage.POC)
    few = queries_for_a_scrape()
    for initiative in InitiativeFactory.create_batch(20, stage=Stage.PILOT):
        FlagFactory(initiative=initiative, kind=FlagKind.OWNERLESS)
    record_task_outcome("initiatives.tasks.send_email", "succeeded")
    record_task_outcome("initiatives.tasks.scan_portfolio", "failed")
    assert queries_for_a_scrape() == few == 6


@pytest.mark.django_db
def test_task_outcomes_add_up_across_recordings(settings):
    settings.PORTAL_METRICS_TOKEN = METRICS_TOKEN
    for outcome in ("succeeded", "succeeded", "retried", "failed"):
        record_task_outcome("initiatives.tasks.send_email", outcome)
    page = samples(scrape())
    name = "crossing_celery_tasks_total"
    task = ("task", "initiatives.tasks.send_email")
    assert page[(name, (("outcome", "succeeded"), task))] == 2
    assert page[(name, (("outcome", "retried"), task))] == 1
    assert page[(name, (("outcome", "failed"), task))] == 1


# --- Logs -----------------------------------------------------------------------------------


@pytest.fixture
def json_lines():
    """Every log line the portal writes during the test, rendered exactly as in production."""
    stream = _ListStream()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(production_formatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def production_formatter(log_format: str) -> logging.Formatter:
    structured = ops_logging.logging_config(log_format=log_format, level="INFO")["formatters"][
        "structured"
    ]
    return structured["()"](**{k: v for k, v in structured.items() if k != "()"})


class _ListStream:
    def __init__(self):
        self._lines: list[str] = []

    def write(self, text: str) -> None:
        self._lines.extend(line for line in text.splitlines() if line.strip())

    def flush(self) -> None:
        pass

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self._lines]

    def raw(self) -> str:
        return "\n".join(self._lines)


@pytest.mark.django_db
def test_a_sane_request_id_is_kept_echoed_and_logged(json_lines, viewer):
    client = Client()
    client.force_login(viewer)
    response = client.get("/initiatives/", HTTP_X_REQUEST_ID="edge-7f3a.42")
    assert response["X-Request-ID"] == "edge-7f3a.42"
    (line,) = [line for line in json_lines.lines() if line["event"] == "request_finished"]
    assert line["request_id"] == "edge-7f3a.42"
    assert (line["status"], line["view"], line["user_id"]) == (200, "initiative-list", viewer.pk)
    assert line["level"] == "info"
    assert structlog.contextvars.get_contextvars() == {}  # nothing leaks into the next request


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["", "has spaces", "<script>alert(1)</script>", "x" * 200, "ünïcode"]
)
def test_an_insane_request_id_is_replaced_by_a_fresh_one(incoming):
    response = anonymous().get("/healthz", HTTP_X_REQUEST_ID=incoming)
    generated = response["X-Request-ID"]
    assert generated != incoming
    assert len(generated) == 32
    int(generated, 16)


@pytest.mark.django_db
def test_logs_keep_confirmation_tokens_api_tokens_and_passwords_out(json_lines, settings):
    settings.PORTAL_METRICS_TOKEN = METRICS_TOKEN
    secret_link_token = "MQ:1vXyZ2:abcdefSECRETLINKTOKEN"
    anonymous().get(f"/ownership/confirm/{secret_link_token}/?next=/x")
    anonymous().get("/nowhere/?token=SECRETQUERYTOKEN&page=2")  # a 404, logged by Django too
    # Found by review: names that merely contain a secret word were logged in clear.
    anonymous().get("/nowhere/?api_key=SECRETAPIKEY&access_token=SECRETACCESS&password2=SECRETPW2")
    anonymous().get("/api/v1/initiatives/", HTTP_AUTHORIZATION="Token SECRETAPITOKEN")
    scrape(token="SECRETBEARER")
    logger = structlog.get_logger("tests")
    logger.info("signing in", password="hunter2-SECRET", authorization="Token SECRETHEADER")
    logging.getLogger("tests").warning(
        "cannot connect to %s", "postgres://crossing:SECRETDBPASSWORD@db:5432/crossing"
    )

    raw = json_lines.raw()
    assert "request_finished" in raw
    for secret in (
        "SECRETLINKTOKEN",
        "SECRETQUERYTOKEN",
        "SECRETAPIKEY",
        "SECRETACCESS",
        "SECRETPW2",
        "SECRETAPITOKEN",
        "SECRETBEARER",
        "hunter2",
        "SECRETHEADER",
        "SECRETDBPASSWORD",
    ):
        assert secret not in raw, secret
    assert "/ownership/confirm/[redacted]/" in raw
    assert "postgres://crossing:[redacted]@db:5432/crossing" in raw
    assert "page=2" in raw  # only secrets go


def test_console_logs_are_for_people():
    formatter = production_formatter("console")
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "scan %s", ("done",), None)
    line = formatter.format(record)
    assert "scan done" in line
    assert not line.startswith("{")
