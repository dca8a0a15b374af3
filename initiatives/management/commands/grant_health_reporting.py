from initiatives.health.services import health_reporter_grant, health_reporter_revoke
from initiatives.management.grants import ReporterGrantCommand


class Command(ReporterGrantCommand):
    help = (
        "Let a machine client (a user) push health reports for the named initiatives, or stop "
        "it with --revoke. --create makes the service account (it cannot sign in to the "
        "portal; give it a token with create_api_token)."
    )
    name = "grant_health_reporting"
    reports = "health reports"
    subject = "health"
    grant = staticmethod(health_reporter_grant)
    revoke = staticmethod(health_reporter_revoke)
