"""Ending a person's sessions: the portal keeps sessions in the database.

Django's database engine (`SESSION_ENGINE` is left at its default) stores each session's data
signed and encoded, with no column for the user, so finding a person's sessions means reading
the sessions that have not expired: at most the people active within the idle timeout
(PORTAL_SESSION_IDLE_MINUTES), read in chunks. A deactivated person could not use a session
anyway (Django's backend refuses inactive users on every request); deleting them means the
browser is signed out for good, whatever happens to the account next.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# The engines whose sessions live in the django_session table (the cached one also in the
# cache, which SessionStore.delete clears).
DATABASE_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def sessions_end(*, person: AbstractBaseUser) -> int:
    """Delete every unexpired session signed in as `person`; returns how many."""
    if settings.SESSION_ENGINE not in DATABASE_ENGINES:
        raise ImproperlyConfigured(
            f"Sessions are kept by {settings.SESSION_ENGINE}: the leaver path can only end "
            "sessions kept in the database."
        )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    decoder = store()
    wanted = str(person.pk)
    keys = [
        key
        for key, data in Session.objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator(chunk_size=2000)
        if str(decoder.decode(data).get(SESSION_KEY)) == wanted
    ]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)
