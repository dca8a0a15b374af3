"""Security hardening (issue 9): deployment checks, headers and CSP, sign-in lockout,
sessions, mass assignment. The audit of bulk writes is in tests/portal/test_audit.py; the CSP in a
real browser in tests/browser/test_csp.py."""

import http.client
import importlib
import json
import os
import pkgutil
import re
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django import forms
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

import initiatives
import portal
from initiatives.core.choices import BusinessCaseStatus, MilestoneStatus, Stage
from initiatives.models import BusinessCase, Initiative
from portal.security import client_ip
from tests.factories import AuthTokenFactory, BusinessUnitFactory, InitiativeFactory, UserFactory
from tests.support.components import free_port, wait_for
from tests.support.forms import business_case_form

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"  # the factories' password

# The production settings the README lists ("Running in production"), behind a proxy that
# terminates TLS and sets X-Forwarded-Proto.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-" + "Zx9#qL2@vR7!" * 5,
    "DJANGO_ALLOWED_HOSTS": "crossing.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://crossing.example.com",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "PORTAL_TRUSTED_PROXY_COUNT": "1",
    "DATABASE_URL": "postgres://crossing:pw@db.internal:5432/crossing",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "EMAIL_HOST": "smtp.internal",
    "PORTAL_BASE_URL": "https://crossing.example.com",
}


def run_in_production(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """A fresh process with only the production environment (none of the test suite's)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "PORTAL_", "CELERY_", "EMAIL_"))
    }
    return subprocess.run(  # noqa: S603 - a fixed command
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_settings(*names: str, **env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"values = {{n: getattr(settings, n, None) for n in {list(names)!r}}}; "
        "print(json.dumps(values, default=str))"
    )
    result = run_in_production(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- manage.py check --deploy ---------------------------------------------------------------


def test_the_deploy_check_passes_with_the_production_settings_in_the_readme():
    result = run_in_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_fails_when_a_secure_default_is_turned_off():
    result = run_in_production(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SESSION_COOKIE_SECURE="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE
    assert "security.W004" in result.stderr  # SECURE_HSTS_SECONDS


def test_production_defaults_are_secure_and_the_proxy_header_comes_from_the_environment():
    values = production_settings(
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "X_FRAME_OPTIONS",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        PORTAL_SESSION_IDLE_MINUTES="30",
        PORTAL_LOGIN_FAILURE_LIMIT="7",
        PORTAL_LOGIN_COOLOFF_MINUTES="20",
        DJANGO_SECURE_HSTS_SECONDS="600",
    )
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 600,
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_SAVE_EVERY_REQUEST": True,
        "AXES_FAILURE_LIMIT": 7,
        "AXES_COOLOFF_TIME": "0:20:00",
    }


def test_a_malformed_proxy_header_setting_is_a_clear_startup_error():
    result = run_in_production(
        ["-c", "import django; django.setup()"], DJANGO_SECURE_PROXY_SSL_HEADER="https"
    )
    assert result.returncode != 0
    assert "DJANGO_SECURE_PROXY_SSL_HEADER is a header and a value" in result.stderr


# --- A production process behind the proxy ---------------------------------------------------


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn with the README's production settings, on a port of its own, as the TLS
    proxy would reach it. Only the sign-in page is asked for, which needs no database."""
    folder = tmp_path_factory.mktemp("production")
    env = {
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DATABASE_URL": f"sqlite:///{folder / 'unused.sqlite3'}",
    }
    collected = run_in_production(["manage.py", "collectstatic", "--noinput", "-v0"], **env)
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    log = folder / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - a fixed command
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env={**clean, **PRODUCTION_ENV, **env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        if not wait_for(lambda: port_open(port), timeout=30):
            pytest.fail(f"gunicorn did not start: {log.read_text()}")
        yield port
    finally:
        server.terminate()
        # A loaded machine takes a while to stop the workers; kill rather than fail the test.
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def fetch(port: int, path: str, proto: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "GET", path, headers={"Host": "crossing.example.com", "X-Forwarded-Proto": proto}
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_a_production_server_sends_every_security_header_over_https(production_server):
    response = fetch(production_server, "/accounts/login/", proto="https")

    assert response.status == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    [csrf_cookie] = headers.get_all("Set-Cookie")
    flags = {part.strip().lower() for part in csrf_cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= flags


def test_a_production_server_sends_plain_http_to_https(production_server):
    response = fetch(production_server, "/initiatives/?stage=pilot", proto="http")

    assert response.status == 301
    assert response.headers["Location"] == "https://crossing.example.com/initiatives/?stage=pilot"
    assert "Set-Cookie" not in response.headers


# --- Headers --------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip() != ""}


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/initiatives/", "/api/docs/", "/api/v1/initiatives/"]
)
def test_every_response_carries_the_security_headers(path, viewer, as_user):
    response = as_user(None if path == "/accounts/login/" else viewer).get(path)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = csp_directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no nonce, no host
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_browsable_api_alone_may_use_inline_style_never_inline_script(viewer, as_user):
    client = as_user(viewer)
    page = client.get("/api/v1/initiatives/", HTTP_ACCEPT="text/html")
    data = client.get("/api/v1/initiatives/", HTTP_ACCEPT="application/json")

    assert page["Content-Type"].startswith("text/html")
    assert csp_directives(page)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp_directives(page)["script-src"] == ["'self'"]
    assert csp_directives(data)["style-src"] == ["'self'"]
    assert csp_directives(client.get("/"))["style-src"] == ["'self'"]  # not left behind


def test_hsts_is_sent_on_https_as_told_by_the_proxy_header(settings, viewer, as_user):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    client = as_user(viewer)

    over_https = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    plain = client.get("/")

    assert over_https["Strict-Transport-Security"] == ("max-age=3600; includeSubDomains; preload")
    assert "Strict-Transport-Security" not in plain


def test_plain_http_is_redirected_to_https_in_production(settings, viewer, as_user):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    client = as_user(viewer)

    response = client.get("/initiatives/", HTTP_X_FORWARDED_PROTO="http")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/initiatives/"
    assert client.get("/initiatives/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_production_cookies_are_secure_and_the_session_cookie_http_only(settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    UserFactory(username="olga")
    client = Client()

    csrf = client.get("/accounts/login/").cookies[settings.CSRF_COOKIE_NAME]
    signed_in = sign_in(client, "olga")
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]

    assert signed_in.status_code == 302
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert csrf["secure"] is True


TEMPLATE_DIRS = [ROOT / "templates"]
INLINE_PATTERNS = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_page_template_has_inline_script_style_or_handlers():
    """E-mails are not web pages (no CSP applies, and mail clients need inline style)."""
    pages = [
        path
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*.html")
        if "emails" not in path.relative_to(directory).parts
    ]
    assert len(pages) > 20
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in pages
        for what, pattern in INLINE_PATTERNS.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_sparkline_charts_draw_without_inline_style():
    from initiatives.templatetags.crossing import sparkline

    today = timezone.now().date()
    rows = [{"day": today - timedelta(days=n), "availability": 99 + n / 10} for n in range(5)]
    svg = str(sparkline(rows, "availability", "Availability"))
    assert "<polyline" in svg
    for what, pattern in INLINE_PATTERNS.items():
        assert not pattern.search(svg), what


def test_the_api_docs_load_their_start_up_script_as_a_file(viewer, as_user):
    client = as_user(viewer)
    page = client.get("/api/docs/").content.decode()
    script_urls = re.findall(r'<script src="([^"]+)"', page)
    assert "/api/docs/?script=" in script_urls
    assert not INLINE_PATTERNS["inline script"].search(page)
    assert not INLINE_PATTERNS["style element"].search(page)

    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    assert b'"validatorUrl": null' in script.content  # no badge from validator.swagger.io


# --- Sign-in lockout (django-axes) ----------------------------------------------------------


def sign_in(client: Client, username: str, password: str = PASSWORD, address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", first_name="Olga")


def test_a_username_is_locked_after_repeated_failures_from_any_address(olga, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for n in range(2):
        response = sign_in(client, "olga", "wrong", address=f"10.0.1.{n}")
        assert response.status_code == 200  # the form again, with its error
    locked = sign_in(client, "olga", "wrong", address="10.0.1.9")

    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    # The right password from a fresh address does not get through.
    assert sign_in(Client(), "olga", address="10.0.2.1").status_code == 429
    # Others sign in as usual.
    UserFactory(username="ravi")
    assert sign_in(Client(), "ravi", address="10.0.1.0").status_code == 302


def test_an_address_is_locked_after_failures_on_many_usernames(olga, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for name in ("admin", "root", "ravi"):
        sign_in(Client(), name, "guess", address="203.0.113.7")

    assert sign_in(Client(), "olga", address="203.0.113.7").status_code == 429
    assert sign_in(Client(), "olga", address="198.51.100.2").status_code == 302


def test_signing_in_to_ones_own_account_does_not_wipe_guesses_at_another(olga, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="ravi")
    for _ in range(2):
        sign_in(Client(), "olga", "guess", address="10.0.0.66")
    assert sign_in(Client(), "ravi", address="10.0.0.66").status_code == 302

    assert sign_in(Client(), "olga", "guess", address="10.0.0.77").status_code == 429
    assert sign_in(Client(), "olga", address="10.0.0.88").status_code == 429


def test_a_lock_ends_after_the_cool_off(olga, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(Client(), "olga", "wrong")
    assert sign_in(Client(), "olga").status_code == 429
    # Failures during the lock do not extend it...
    sign_in(Client(), "olga", "wrong")
    assert AccessAttempt.objects.get().failures_since_start == 2

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)

    assert sign_in(Client(), "olga").status_code == 302


def test_staff_unlock_a_person_in_the_admin(olga, staff, settings, as_user):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(Client(), "olga", "wrong")
    attempt = AccessAttempt.objects.get(username="olga")
    admin = as_user(staff)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert "olga" in listing.content.decode()

    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(Client(), "olga").status_code == 302


def test_the_reset_command_unlocks_a_username(olga, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(Client(), "olga", "wrong")
    assert sign_in(Client(), "olga").status_code == 429

    call_command("axes_reset_username", "olga")

    assert sign_in(Client(), "olga").status_code == 302


def test_the_admin_sign_in_is_protected_too(staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    url = reverse("admin:login")
    for _ in range(2):
        Client().post(url, {"username": "staff", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    response = Client().post(
        url, {"username": "staff", "password": PASSWORD}, REMOTE_ADDR="10.9.9.10"
    )
    assert response.status_code == 429


def test_api_tokens_keep_working_and_are_not_a_way_around_the_lock(olga, settings):
    """A token is its own credential (stored hashed, revocable); it is not a password guess."""
    settings.AXES_FAILURE_LIMIT = 2
    token = AuthTokenFactory(user=olga).key
    for _ in range(2):
        sign_in(Client(), "olga", "wrong")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/initiatives/").status_code == 200
    # A guessed token is refused as before; it is not the password.
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert api.get("/api/v1/initiatives/").status_code == 401


def test_behind_proxies_the_client_address_is_the_one_the_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.PORTAL_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy: the header is the client's claim
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # not the spoofed left-most entry
    settings.PORTAL_TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # did not come through every proxy


def test_behind_a_proxy_each_client_is_locked_on_its_own_address(olga, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    for name in ("admin", "root"):
        Client().post(
            "/accounts/login/",
            {"username": name, "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    # Olga comes through the same proxy from another address: not locked.
    response = Client().post(
        "/accounts/login/",
        {"username": "olga", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert response.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


# --- Sessions -------------------------------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server(olga):
    client = Client()
    assert sign_in(client, "olga").status_code == 302
    stolen = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.get("/").status_code == 200

    client.post("/accounts/logout/")

    assert not Session.objects.filter(session_key=stolen).exists()
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_session_expires_after_the_idle_time_and_each_request_extends_it(olga, settings):
    client = Client()
    sign_in(client, "olga")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))

    assert client.get("/").status_code == 200
    extended = Session.objects.get(pk=key).expire_date
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(extended - (timezone.now() + idle)) < timedelta(seconds=30)
    assert session.expire_date <= extended

    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_api_token_request_creates_no_session(olga):
    token = AuthTokenFactory(user=olga).key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/initiatives/").status_code == 200
    assert not Session.objects.exists()


# --- Mass assignment ------------------------------------------------------------------------

FORBIDDEN = {
    "stage": Stage.PRODUCTION,
    "stage_entered_at": "2020-01-01T00:00",
    "owner_accepted_at": "2020-01-01T00:00",
    "owner_confirmed_at": "2020-01-01T00:00",
    "history_user": "1",
    "updated_at": "2020-01-01T00:00",
    "created_at": "2020-01-01T00:00",
}


@pytest.fixture
def governed(contributor):
    mallory = UserFactory(username="mallory")
    initiative = InitiativeFactory(
        slug="fraud-scoring", name="Fraud scoring", members=[contributor]
    )
    return initiative, mallory


def test_the_edit_form_ignores_stage_owner_and_audit_fields(governed, contributor, as_user):
    initiative, mallory = governed
    before = Initiative.objects.get(pk=initiative.pk)
    data = {
        "name": "Fraud scoring v2",
        "summary": initiative.summary,
        "business_unit": initiative.business_unit_id,
        "risk_tier": initiative.risk_tier,
        "team_members": [contributor.pk],
        **FORBIDDEN,
        "production_owner": mallory.pk,
        "backup_owner": mallory.pk,
        "owning_team": "",
        "slug": "renamed",
    }

    response = as_user(contributor).post(reverse("initiative-edit", args=[initiative.slug]), data)

    assert response.status_code == 302
    after = Initiative.objects.get(pk=initiative.pk)
    assert after.name == "Fraud scoring v2"  # the allowed field was saved
    for field in ("slug", "stage", "stage_entered_at", "production_owner_id", "backup_owner_id"):
        assert getattr(after, field) == getattr(before, field), field
    assert after.owner_accepted_at is None
    assert after.history.first().history_user == contributor


def test_the_create_form_starts_every_initiative_as_an_idea_without_an_owner(viewer, as_user):
    unit = BusinessUnitFactory(name="Claims")
    mallory = UserFactory(username="mallory")
    data = {
        "name": "Claims triage",
        "slug": "claims-triage",
        "summary": "Route claims.",
        "business_unit": unit.pk,
        "risk_tier": "high",
        **FORBIDDEN,
        "production_owner": mallory.pk,
    }

    response = as_user(viewer).post(reverse("initiative-create"), data)

    assert response.status_code == 302
    created = Initiative.objects.get(slug="claims-triage")
    assert (created.stage, created.production_owner, created.owner_accepted_at) == (
        Stage.IDEA,
        None,
        None,
    )
    assert list(created.team_members.all()) == [viewer]


def test_the_business_case_form_cannot_approve_or_backdate(governed, contributor, as_user):
    initiative, mallory = governed
    data = {
        **business_case_form(action="draft"),
        "status": BusinessCaseStatus.APPROVED,
        "reviewed_by": mallory.pk,
        "version": "7",
        "created_by": mallory.pk,
    }

    as_user(contributor).post(reverse("business-case-create", args=[initiative.slug]), data)

    case = BusinessCase.objects.get(initiative=initiative)
    assert (case.status, case.version, case.reviewed_by, case.created_by) == (
        BusinessCaseStatus.DRAFT,
        1,
        None,
        contributor,
    )


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_refuses_stage_owner_and_audit_fields_by_name(governed, contributor):
    initiative, _ = governed
    payload = {
        "summary": "Changed",
        "stage": "production",
        "production_owner": "mallory",
        "owner_accepted_at": "2020-01-01T00:00:00Z",
        "stage_entered_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "ownership_pending": False,
        "slug": "renamed",
    }

    response = api_as(contributor).patch(
        f"/api/v1/initiatives/{initiative.slug}/", payload, format="json"
    )

    assert response.status_code == 400
    refused = set(payload) - {"summary"}
    assert set(response.json()) == refused
    assert all(response.json()[name] == ["Unknown or read-only field."] for name in refused)
    initiative.refresh_from_db()
    assert (initiative.summary, initiative.stage, initiative.production_owner) == (
        "Does something useful.",
        Stage.IDEA,
        None,
    )


def test_the_api_refuses_flags_and_review_fields_on_a_business_case(governed, contributor):
    initiative, _ = governed
    response = api_as(contributor).post(
        f"/api/v1/initiatives/{initiative.slug}/business-cases/",
        {"currency": "EUR", "status": "approved", "reviewed_by": "mallory", "version": 9},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"status", "reviewed_by", "version"}
    assert not BusinessCase.objects.exists()


def test_a_team_member_cannot_waive_a_milestone_by_setting_its_status(governed, contributor):
    initiative, _ = governed
    client = api_as(contributor)
    readiness = client.get(f"/api/v1/initiatives/{initiative.slug}/readiness/").json()
    key = readiness["milestones"][0]["key"]
    url = f"/api/v1/initiatives/{initiative.slug}/readiness/{key}/"

    as_status = client.patch(url, {"status": MilestoneStatus.WAIVED}, format="json")
    as_field = client.patch(url, {"waived_by": "mallory", "justification": "x"}, format="json")

    assert as_status.status_code == 400
    assert as_status.json() == {
        "status": ["Only a governance reviewer may waive a milestone, with a justification."]
    }
    assert as_field.status_code == 400
    assert as_field.json() == {
        "waived_by": ["Unknown or read-only field."],
        "justification": ["Unknown or read-only field."],
    }
    assert not initiative.milestone_records.filter(status=MilestoneStatus.WAIVED).exists()


def project_classes() -> list[type]:
    """Every class defined in the portal's own modules (migrations aside)."""
    found = []
    for package in (initiatives, portal):
        for module_info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in module_info.name or module_info.name.endswith("pytest_plugin"):
                continue
            module = importlib.import_module(module_info.name)
            found.extend(
                value
                for value in vars(module).values()
                if isinstance(value, type) and value.__module__ == module.__name__
            )
    return found


def test_every_model_form_and_model_serializer_lists_its_fields():
    model_based = [
        cls
        for cls in project_classes()
        if issubclass(cls, forms.ModelForm | serializers.ModelSerializer)
    ]
    names = {cls.__name__ for cls in model_based}
    # The test must see the classes that take input, or it proves nothing.
    assert {"InitiativeForm", "BusinessCaseForm", "InitiativeWriteSerializer"} <= names
    offenders = []
    for cls in model_based:
        meta = cls.Meta
        fields = getattr(meta, "fields", None)
        if fields == "__all__" or not isinstance(fields, list | tuple):
            offenders.append(f"{cls.__module__}.{cls.__name__}: fields = {fields!r}")
        if getattr(meta, "exclude", None):
            offenders.append(f"{cls.__module__}.{cls.__name__}: exclude")
    assert offenders == []


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("203.0.113.9:51234", "203.0.113.9"),  # a proxy that appends the port
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("unknown", "10.0.0.5"),  # not an address: the connection's own counts
        ("not-an-ip", "10.0.0.5"),
    ],
)
def test_the_client_address_is_always_an_address(settings, forwarded, expected):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.5")
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_a_sign_in_with_garbage_is_refused_plainly_not_a_server_error(settings):
    """Found by review on PostgreSQL: a 5,000-character username and an X-Forwarded-For
    that is not an address both ended in a 500 (the lockout records' columns)."""
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    client = Client(HTTP_X_FORWARDED_FOR="not-an-ip")
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    response = client.post(reverse("login"), {"username": "someone", "password": "nope"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="someone").ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_a_csrf_failure_is_the_portals_own_page_without_inline_style(viewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    response = client.post(reverse("initiative-create"), {"name": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page
    assert "<style" not in page


@pytest.mark.django_db
def test_old_sign_in_records_are_pruned_and_recent_ones_kept(settings, viewer):
    from axes.models import AccessLog

    from ops.tasks import prune_sign_in_logs

    settings.PORTAL_SIGN_IN_LOG_DAYS = 90
    old = AccessLog.objects.create(username="viewer", ip_address="10.0.0.1", user_agent="x")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=91))
    recent = AccessLog.objects.create(username="viewer", ip_address="10.0.0.1", user_agent="x")
    assert prune_sign_in_logs() == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "ops.tasks.prune_sign_in_logs" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
