"""Loaded by pytest (`-p portal.pytest_plugin`) before Django is set up.

Tests run with DEBUG off, like production, so they need a secret key; a real deployment
must set its own (settings refuse to start without one). With the embedded file-system
broker, tests get a broker folder of their own, so nothing they queue reaches `make run`'s
worker.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
# Worker threads started by tests close their connection after each task, so the test
# database can be dropped at the end.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
os.environ.setdefault(
    "CELERY_FILESYSTEM_BROKER_DIR", tempfile.mkdtemp(prefix="crossing-test-broker-")
)
