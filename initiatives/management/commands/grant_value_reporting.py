from initiatives.management.grants import ReporterGrantCommand
from initiatives.value.services import value_reporter_grant, value_reporter_revoke


class Command(ReporterGrantCommand):
    help = (
        "Let a machine client (a user) push value reports for the named initiatives, or stop "
        "it with --revoke. --create makes the service account (it cannot sign in to the "
        "portal; give it a token with create_api_token)."
    )
    name = "grant_value_reporting"
    reports = "value reports"
    subject = "value"
    grant = staticmethod(value_reporter_grant)
    revoke = staticmethod(value_reporter_revoke)
