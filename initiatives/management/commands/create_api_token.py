from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


class Command(BaseCommand):
    help = (
        "Create an API token for USER (username or e-mail). The token is shown once, alone "
        "on the last line; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or e-mail address")

    def handle(self, *args, user, **options):
        User = get_user_model()
        matches = list(User.objects.filter(username=user)) or list(
            User.objects.filter(email__iexact=user)
        )
        if len(matches) != 1:
            raise CommandError(f"No single user has username or e-mail '{user}'.")
        account = matches[0]
        if not account.is_active:
            raise CommandError(f"'{account.username}' is deactivated; no token was created.")
        instance, token = AuthToken.objects.create(user=account)
        self.stderr.write(
            f"API token for {account.username} (id {instance.token_key}). Send it as "
            "'Authorization: Token <token>'. It is shown only this once:"
        )
        self.stdout.write(token)
