import pytest

from tests.factories import InitiativeFactory, UserFactory
from tests.support.clients import client_for


def pytest_sessionfinish(session, exitstatus):
    """In CI every real component is present, so a skipped test is a failure."""
    import os

    if os.environ.get("CROSSING_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and session.exitstatus == 0:
        reporter.write_line(
            f"CROSSING_FAIL_ON_SKIP: {skipped} test(s) skipped; CI requires every component.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _broker_not_marked_down(monkeypatch):
    # A failed publish pauses publishing for the process; no test inherits another's pause.

    from initiatives.outbox import sending

    monkeypatch.setattr(sending, "_broker_down_until", 0.0)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Throttle counts and token last-use marks live in the cache; no test inherits another's.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Fast hashing: factories set passwords for every user they make.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer")


@pytest.fixture
def contributor(db):
    return UserFactory(username="contributor")


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", governance=True)


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def initiative(db, contributor):
    return InitiativeFactory(slug="fraud-scoring", name="Fraud scoring", members=[contributor])


@pytest.fixture
def as_user():
    return client_for
