from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from initiatives.accounts import services


class Command(BaseCommand):
    help = (
        "Create an API token for USER (username or e-mail), expiring in PORTAL_API_TOKEN_DAYS. "
        "The token is shown once, alone on the last line; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="username or e-mail address")
        parser.add_argument(
            "--name", default="", help="a label shown on the user's profile page (what uses it)"
        )

    def handle(self, *args, user, name, **options):
        User = get_user_model()
        matches = list(User.objects.filter(username=user)) or list(
            User.objects.filter(email__iexact=user)
        )
        if len(matches) != 1:
            raise CommandError(f"No single user has username or e-mail '{user}'.")
        account = matches[0]
        if not account.is_active:
            raise CommandError(f"'{account.username}' is deactivated; no token was created.")
        instance, token = services.api_token_create(user=account, name=name)
        expires = timezone.localtime(instance.expiry)
        self.stderr.write(
            f"API token for {account.username} (id {instance.token_key}), expires "
            f"{expires:%Y-%m-%d %H:%M %Z}. Send it as 'Authorization: Token <token>'. "
            "It is shown only this once:"
        )
        self.stdout.write(token)
