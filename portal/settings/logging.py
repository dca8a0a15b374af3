"""Logs: the LOGGING dict, and the callable Django hands it to.

Nothing is configured when settings are imported: Django calls LOGGING_CONFIG with LOGGING
when it sets up (web, commands, tests), and Celery's worker and beat call the same
(portal/celery.py). It sets up structlog, then the standard library's logging.
"""

from ops import logging as ops_logging
from portal.settings.environment import env
from portal.settings.portal import PORTAL_LOG_FORMAT

LOGGING_CONFIG = "ops.logging.configure"
LOGGING = ops_logging.logging_config(
    log_format=PORTAL_LOG_FORMAT, level=env.str("DJANGO_LOG_LEVEL", default="INFO")
)
