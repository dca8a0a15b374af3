"""What `grant_health_reporting` and `grant_value_reporting` share: a machine client (a
service account, made with --create) is allowed, or no longer allowed with --revoke, to push
reports for the named initiatives, one grant at a time so each grant's history says which
command did it."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from initiatives.core.permissions import MACHINE_CLIENTS_GROUP
from initiatives.portfolio.models import Initiative


class ReporterGrantCommand(BaseCommand):
    name: str  # the command's own name, recorded as the reason of each change
    reports: str  # what the client pushes: "health reports"
    subject: str  # what it reports on an initiative: "health"
    grant: Callable[..., object]  # the domain's service: (*, initiative, client, reason)
    revoke: Callable[..., object]

    def add_arguments(self, parser):
        parser.add_argument("user", help="the service account's username")
        parser.add_argument("slugs", nargs="+", metavar="SLUG")
        parser.add_argument("--create", action="store_true", help="create the account")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, user, slugs, create, revoke, **options):
        account = self._account(user, create)
        initiatives = {i.slug: i for i in Initiative.objects.filter(slug__in=slugs)}
        unknown = sorted(set(slugs) - set(initiatives))
        if unknown:
            raise CommandError(f"No initiative with slug: {', '.join(unknown)}. Nothing changed.")
        for slug in slugs:
            if revoke:
                self.revoke(
                    initiative=initiatives[slug], client=account, reason=f"Revoked with {self.name}"
                )
                self.stdout.write(f"{user} may no longer report {self.subject} on {slug}.")
            else:
                self.grant(
                    initiative=initiatives[slug], client=account, reason=f"Granted with {self.name}"
                )
                self.stdout.write(f"{user} may report {self.subject} on {slug}.")

    def _account(self, user: str, create: bool):
        User = get_user_model()
        account = User.objects.filter(username=user).first()
        if account is not None:
            return account
        if not create:
            raise CommandError(f"No user '{user}'. Add --create to make a service account.")
        account = User(username=user, first_name="Service account")
        account.set_unusable_password()
        account.save()
        group, _ = Group.objects.get_or_create(name=MACHINE_CLIENTS_GROUP)
        account.groups.add(group)
        self.stdout.write(
            f"Created service account '{user}': its tokens may only push {self.reports}."
        )
        return account
