from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from initiatives.core.permissions import MACHINE_CLIENTS_GROUP
from initiatives.portfolio.models import Initiative
from initiatives.value.services import value_reporter_grant, value_reporter_revoke


class Command(BaseCommand):
    help = (
        "Let a machine client (a user) push value reports for the named initiatives, or stop "
        "it with --revoke. --create makes the service account (it cannot sign in to the "
        "portal; give it a token with create_api_token)."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="the service account's username")
        parser.add_argument("slugs", nargs="+", metavar="SLUG")
        parser.add_argument("--create", action="store_true", help="create the account")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, user, slugs, create, revoke, **options):
        User = get_user_model()
        account = User.objects.filter(username=user).first()
        if account is None:
            if not create:
                raise CommandError(f"No user '{user}'. Add --create to make a service account.")
            account = User(username=user, first_name="Service account")
            account.set_unusable_password()
            account.save()
            group, _ = Group.objects.get_or_create(name=MACHINE_CLIENTS_GROUP)
            account.groups.add(group)
            self.stdout.write(
                f"Created service account '{user}': its tokens may only push reports."
            )
        initiatives = {i.slug: i for i in Initiative.objects.filter(slug__in=slugs)}
        unknown = sorted(set(slugs) - set(initiatives))
        if unknown:
            raise CommandError(f"No initiative with slug: {', '.join(unknown)}. Nothing changed.")
        for slug in slugs:
            if revoke:
                value_reporter_revoke(
                    initiative=initiatives[slug],
                    client=account,
                    reason="Revoked with grant_value_reporting",
                )
                self.stdout.write(f"{user} may no longer report value on {slug}.")
            else:
                value_reporter_grant(
                    initiative=initiatives[slug],
                    client=account,
                    reason="Granted with grant_value_reporting",
                )
                self.stdout.write(f"{user} may report value on {slug}.")
