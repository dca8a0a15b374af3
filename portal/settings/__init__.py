"""Crossing settings: every value comes from the environment, with an embedded default.

The embedded defaults make `make run` work on a machine with nothing but Python:
SQLite, a file-system Celery broker, e-mails written to files. Production sets
DATABASE_URL, CELERY_BROKER_URL and EMAIL_HOST (see README.md).

One module per concern, assembled here (DJANGO_SETTINGS_MODULE=portal.settings):

- `django`: core Django and security (database, cache, static files, e-mail, sessions,
  Content-Security-Policy, sign-in locks, proxies);
- `celery`: the broker, time limits and beat's schedule;
- `api`: REST framework, throttles, tokens and the OpenAPI schema;
- `portal`: the portal's own rules, every `PORTAL_*` setting with its default and meaning;
- `identity`: sign-in with the organisation's OpenID Connect provider, password sign-in;
- `logging`: the LOGGING dict and the callable Django configures logging with;
- `environment`: what they share (the environment reader, the folders, DJANGO_DEBUG).

Code reads settings from django.conf.settings, never from these modules.
"""

from portal.settings.api import *  # noqa: F403
from portal.settings.celery import *  # noqa: F403
from portal.settings.django import *  # noqa: F403
from portal.settings.identity import *  # noqa: F403
from portal.settings.logging import *  # noqa: F403
from portal.settings.portal import *  # noqa: F403
