"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
            "settings.EMAIL_BACKEND, settings.CELERY_BROKER_URL, settings.ALLOWED_HOSTS)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_a_secret_key_is_a_clear_startup_error():
    result = load_settings(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_runs_on_embedded_defaults():
    result = load_settings(DJANGO_DEBUG="1", CELERY_BROKER_URL="", EMAIL_HOST="", DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    debug, engine, backend, broker, _hosts = result.stdout.split(" ", 4)
    assert debug == "True"
    assert engine == "django_prometheus.db.backends.sqlite3"  # Django's, counting queries
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert broker == "filesystem://"


def test_production_reads_every_service_from_the_environment():
    result = load_settings(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="crossing.example.com",
        DATABASE_URL="postgres://crossing:pw@db.internal:5432/crossing",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
        EMAIL_HOST="smtp.internal",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 4) == [
        "False",
        "django_prometheus.db.backends.postgresql",
        "django.core.mail.backends.smtp.EmailBackend",
        "redis://cache.internal:6379/0",
        "['crossing.example.com']\n",
    ]


def test_an_unknown_log_format_is_a_clear_startup_error():
    result = load_settings(DJANGO_DEBUG="1", PORTAL_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "PORTAL_LOG_FORMAT must be json or console, not 'xml'" in result.stderr


def test_a_throttle_rate_that_is_not_a_rate_is_a_clear_startup_error():
    """Found by review: API_THROTTLE_USER=fast passed every check, then every API call
    failed with a 500."""
    result = load_settings(DJANGO_DEBUG="1", API_THROTTLE_USER="fast")
    assert result.returncode != 0
    assert "API_THROTTLE_USER='fast' is not a rate" in result.stderr
    assert load_settings(DJANGO_DEBUG="1", API_THROTTLE_USER="off").returncode == 0


def test_the_cache_url_key_prefix_reaches_django():
    """Found by review: django-environ left `key_prefix` where Django's Redis cache never
    looks, so throttle counts shared keys with anything else in the same Redis database."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.cache import cache; "
            "print(cache.key_prefix, cache.default_timeout)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "1",
            "CACHE_URL": "redis://127.0.0.1:6379/1?key_prefix=crossing&timeout=120",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["crossing", "120"]
