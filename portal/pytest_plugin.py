"""Loaded by pytest (`-p portal.pytest_plugin`) before Django is set up.

Tests run with DEBUG off, like production, so they need a secret key; a real deployment
must set its own (settings refuse to start without one). They speak plain HTTP, so the
production defaults that need HTTPS are turned off here. With the embedded file-system
broker, tests get a broker folder of their own, so nothing they queue reaches `make run`'s
worker.
"""

import os
import re
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
# The test client and the live server speak plain HTTP: no redirect to HTTPS, and cookies
# the browser sends over HTTP. Production keeps the secure defaults (tests/portal/test_security.py
# checks them in a process of their own).
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("DJANGO_CSRF_COOKIE_SECURE", "0")
# Worker threads started by tests close their connection after each task, so the test
# database can be dropped at the end.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
os.environ.setdefault(
    "CELERY_FILESYSTEM_BROKER_DIR", tempfile.mkdtemp(prefix="crossing-test-broker-")
)

# Under pytest-xdist (`make test` runs two workers) each worker has its own test database
# (pytest-django adds the worker's name) and must have its own Redis broker database too, so
# a worker thread started by one test never takes a task queued by the other worker's test:
# worker gwN uses the configured database number minus N.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_broker = os.environ.get("CELERY_BROKER_URL", "")
if _worker.startswith("gw") and _broker.startswith("redis"):
    _match = re.fullmatch(r"(redis://[^/]*)/(\d+)", _broker)
    if _match:
        _number = int(_match.group(2)) - int(_worker[2:])
        if _number < 0:
            raise RuntimeError(f"CELERY_BROKER_URL {_broker}: no Redis database for {_worker}")
        os.environ["CELERY_BROKER_URL"] = f"{_match.group(1)}/{_number}"
