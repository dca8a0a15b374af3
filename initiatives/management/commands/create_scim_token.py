from django.core.management.base import BaseCommand, CommandError

from initiatives.identity.scim import scim_token_create


class Command(BaseCommand):
    help = (
        "Create a bearer token for the identity provider's SCIM provisioning (/scim/v2/). "
        "The token is printed once, alone on the last line; only its hash is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Which provider (or connection) the token is for.")

    def handle(self, *args, name: str, **options):
        if not name.strip():
            raise CommandError("Give the token a name, e.g. 'Entra ID'.")
        token = scim_token_create(name=name)
        self.stdout.write(
            f"SCIM token {name.strip()!r} created. Give it to the identity provider with the "
            "base URL PORTAL_BASE_URL/scim/v2/; it is not shown again:"
        )
        self.stdout.write(token)
