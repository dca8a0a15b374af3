"""The API as production serves it: gunicorn with two worker processes, PostgreSQL, and the
throttle counts in Redis shared by both workers. A person makes a token on their profile
page, a program uses it, the page shows its last use, and revoking it locks the program out;
a production system pushes health reports with the example client from the README."""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from initiatives.accounts import services
from initiatives.core import formats
from initiatives.models import ApiTokenInfo, HealthReport
from tests.factories import HealthReporterGrantFactory, InitiativeFactory, UserFactory
from tests.support.components import configured_redis_url, gunicorn_server, require_postgresql

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough password for the live server"
USER_RATE = 6  # per minute, for the throttle check


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Collected static files, as production serves them (whitenoise's manifest)."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_STATIC_ROOT": str(root)},
        check=True,
        timeout=120,
    )
    return root


@pytest.fixture
def needs_postgresql():
    require_postgresql("the server is another process and must see the test's data")


@pytest.fixture
def server(needs_postgresql, static_root, tmp_path):
    redis_url = configured_redis_url("the throttle counts are shared by two server processes")
    cache_url = f"{redis_url}?key_prefix=crossing-test-{uuid.uuid4().hex}"
    environment = {
        "DJANGO_STATIC_ROOT": str(static_root),
        "CACHE_URL": cache_url,
        "API_THROTTLE_USER": f"{USER_RATE}/minute",
    }
    with gunicorn_server(environment, tmp_path / "gunicorn.log") as running:
        yield running


class Browser:
    """A person at the portal: cookies and CSRF tokens, over real HTTP."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.read().decode()

    def post_form(self, path: str, fields: dict) -> str:
        page = self.get(path)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf}).encode()
        try:
            with self.opener.open(self.base_url + path, data=data, timeout=30) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:  # 201 is fine; 4xx pages are read too
            return error.read().decode()


def api_get(base_url: str, token: str, path: str = "/api/v1/initiatives/"):
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        base_url + path, headers={"Authorization": f"Token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.load(error)


def test_token_from_the_profile_page_through_its_whole_life(server):
    olga = UserFactory(username="olga")
    # The server hashes as production does (the tests' settings use a fast hasher).
    hasher = PBKDF2PasswordHasher()
    type(olga).objects.filter(pk=olga.pk).update(password=hasher.encode(PASSWORD, hasher.salt()))
    InitiativeFactory(slug="fraud-scoring")
    person = Browser(server.url)
    person.post_form("/accounts/login/", {"username": "olga", "password": PASSWORD})

    page = person.post_form("/accounts/profile/", {"action": "create", "name": "reporting job"})
    token = re.search(r'data-testid="new-token">([0-9a-f]+)<', page).group(1)

    status, _, body = api_get(server.url, token)
    assert status == 200, server.log()
    assert [i["slug"] for i in body["results"]] == ["fraud-scoring"]
    info = ApiTokenInfo.objects.get(name="reporting job")
    assert info.last_used_at is not None
    shown = formats.when(info.last_used_at)
    assert shown in person.get("/accounts/profile/")  # as every page shows a moment

    # The allowance is counted in Redis, shared by both server processes: exactly USER_RATE
    # requests a minute get through, whichever process answers.
    answers = [api_get(server.url, token) for _ in range(USER_RATE + 2)]
    codes = [status for status, _, _ in answers]
    assert codes == [200] * (USER_RATE - 1) + [429] * 3, server.log()
    _, headers, body = answers[-1]
    assert body["detail"].startswith("Request was throttled.")
    assert int(headers["Retry-After"]) > 0

    page = person.post_form("/accounts/profile/", {"action": "revoke", "token_key": token[:15]})
    assert "Token revoked" in page
    status, headers, body = api_get(server.url, token)
    assert status == 401
    assert body == {"detail": "Invalid token."}
    assert headers["WWW-Authenticate"].startswith("Token")


def run_example(server, token: str, initiative: str, reports) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (the example script, no shell)
        [sys.executable, str(settings.BASE_DIR / "examples" / "push_health.py"), initiative],
        input=json.dumps(reports),
        capture_output=True,
        text=True,
        timeout=60,
        env={"CROSSING_URL": server.url, "CROSSING_TOKEN": token, "PATH": ""},
        check=False,
    )


def test_example_client_pushes_health_reports_once_even_when_run_twice(server):
    initiative = InitiativeFactory(slug="fraud-scoring")
    machine = UserFactory(username="monitoring-bot", machine_client=True)
    HealthReporterGrantFactory(user=machine, initiative=initiative)
    _, token = services.api_token_create(user=machine, name="monitoring")
    now = timezone.now()
    reports = [
        {
            "observed_at": (now - timedelta(minutes=15 * i)).isoformat(),
            "availability": 99.9,
            "latency_p95_ms": 240,
            "error_rate": 0.002,
            "eval_score": 0.91,
        }
        for i in range(3)
    ]

    first = run_example(server, token, "fraud-scoring", reports)
    assert first.returncode == 0, first.stderr + server.log()
    assert json.loads(first.stdout) == {"received": 3, "stored": 3, "duplicates": 0}
    again = run_example(server, token, "fraud-scoring", reports)
    assert json.loads(again.stdout) == {"received": 3, "stored": 0, "duplicates": 3}
    assert HealthReport.objects.filter(initiative=initiative).count() == 3

    bad = run_example(server, token, "fraud-scoring", [{**reports[0], "availability": 101}])
    assert bad.returncode != 0
    assert "Refused (400)" in bad.stderr
    assert '"index":0' in bad.stderr
    assert "availability" in bad.stderr

    InitiativeFactory(slug="churn-model")
    not_granted = run_example(server, token, "churn-model", reports)
    assert "Refused (403)" in not_granted.stderr


def test_the_readme_shows_the_example_client_as_it_is():
    readme = (settings.BASE_DIR / "README.md").read_text()
    script = (settings.BASE_DIR / "examples" / "push_health.py").read_text()
    assert f"```python\n{script}```" in readme
