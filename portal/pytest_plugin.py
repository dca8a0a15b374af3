"""Loaded by pytest (`-p portal.pytest_plugin`) before Django is set up.

Tests run with DEBUG off, like production, so they need a secret key; a real deployment
must set its own (settings refuse to start without one).
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
