"""The production web server, as the Procfile runs it: gunicorn with gunicorn.conf.py.

Real processes: gunicorn with two workers on a free port, the test's PostgreSQL database,
and the configured Redis (or, for readiness, a port where nothing listens). What only a
real server shows: metrics added up across worker processes, the access log with secrets
redacted, request ids end to end, and a graceful stop on SIGTERM.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import InitiativeFactory
from tests.support.components import (
    configured_broker_reachable,
    database_url_for_worker,
    free_port,
    require_postgresql,
    wait_for,
)

METRICS_TOKEN = "metrics-token-for-the-server-test"


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        """One request on a connection of its own (so any worker may take it)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def answers(self) -> bool:
        try:
            return self.get("/healthz")[0] == 200
        except OSError:
            return False


@contextmanager
def gunicorn(
    tmp_path: Path, *, broker_url: str, workers: int = 2, pages: bool = False
) -> Iterator[Server]:
    """gunicorn as the Procfile starts it; `pages` runs collectstatic first, as a deploy does,
    so that pages (not only JSON) render with the production static storage."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url_for_worker(),
        "DATABASE_CONN_MAX_AGE": "0",  # the test database is dropped at the end
        "CELERY_BROKER_URL": broker_url,
        "PORTAL_METRICS_TOKEN": METRICS_TOKEN,
        "PORTAL_LOG_FORMAT": "json",
        "PORT": str(port),
        "GUNICORN_BIND_HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_GRACEFUL_TIMEOUT": "10",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    environment.pop("CROSSING_FAIL_ON_SKIP", None)
    if pages:
        environment["DJANGO_STATIC_ROOT"] = str(tmp_path / "static")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
            cwd=settings.BASE_DIR,
            env=environment,
            check=True,
            timeout=120,
        )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log_path)
    try:
        assert wait_for(server.answers), server.log()
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def metric(page: bytes, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(page.decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_the_production_web_server_serves_health_metrics_and_clean_logs(tmp_path):
    require_postgresql("gunicorn's workers are processes that must share the test database")
    reachable, reason = configured_broker_reachable()
    if not settings.CELERY_BROKER_URL.startswith("redis") or not reachable:
        pytest.skip(reason or "needs Redis behind CELERY_BROKER_URL (CI runs it)")
    InitiativeFactory.create_batch(2, stage="pilot")

    with gunicorn(tmp_path, broker_url=settings.CELERY_BROKER_URL, workers=2, pages=True) as server:
        # The start-up wait polled /healthz until one answered (once, or more on a loaded
        # machine): the probes are counted from the counters as they stand now.
        status, _, before = server.get("/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
        assert status == 200
        started = metric(
            before,
            "django_http_responses_total_by_status_view_method_total",
            view="healthz",
            status="200",
        )
        assert started >= 1
        probes = [server.get("/healthz", **{"X-Request-ID": f"probe-{n}"}) for n in range(12)]
        assert {status for status, _, _ in probes} == {200}
        assert [headers["X-Request-ID"] for _, headers, _ in probes] == [
            f"probe-{n}" for n in range(12)
        ]
        status, _, body = server.get("/readyz")
        assert (status, json.loads(body)["status"]) == (200, "ready")
        status, _, _ = server.get("/ownership/confirm/SECRETLINKTOKEN/")
        assert status == 400  # a bad link, refused on its page

        assert server.get("/metrics")[0] == 401
        status, _, page = server.get("/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
        assert status == 200
        # Twelve probes on top of the start-up checks, whichever worker took each and
        # whichever answers the scrape: the workers' counters are added up.
        count = metric(
            page,
            "django_http_responses_total_by_status_view_method_total",
            view="healthz",
            status="200",
        )
        assert count == started + 12
        status, _, again = server.get("/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
        assert (
            metric(
                again,
                "django_http_responses_total_by_status_view_method_total",
                view="healthz",
                status="200",
            )
            == count
        )
        assert metric(page, "crossing_initiatives", stage="pilot") == 2
        assert len(list((tmp_path / "metrics").glob("*.db"))) >= 2  # one set per worker

        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=20) == 0, server.log()

    log = server.log()
    assert "SECRETLINKTOKEN" not in log
    assert METRICS_TOKEN not in log
    access = [line for line in log.splitlines() if '"GET /' in line]
    assert any('"GET /ownership/confirm/[redacted]/ HTTP/1.1" 400' in line for line in access)
    assert any("request_id=probe-3" in line for line in access)
    app_lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    finished = [line for line in app_lines if line["event"] == "request_finished"]
    assert {"probe-3", "probe-11"} <= {line["request_id"] for line in finished}
    assert "Shutting down: Master" in log


@pytest.mark.django_db(transaction=True)
def test_the_production_web_server_is_alive_but_not_ready_without_its_broker(tmp_path):
    require_postgresql("gunicorn's workers are processes that must share the test database")
    closed = f"redis://:broker-password@127.0.0.1:{free_port()}/13"  # nothing listens there
    with gunicorn(tmp_path, broker_url=closed, workers=1) as server:
        assert server.get("/healthz")[0] == 200
        status, _, body = server.get("/readyz")
    assert status == 503
    answer = json.loads(body)
    assert answer["failed"] == ["broker"]
    assert answer["checks"]["database"] == {"ok": True}
    assert answer["checks"]["migrations"] == {"ok": True}
    assert b"broker-password" not in body
