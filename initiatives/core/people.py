"""People as the portal names and offers them.

`people_to_name()` is the one rule for who may be chosen as a sponsor, production owner,
backup owner or team member, by a form (`core.forms.PersonChoiceField`), the people search
(`/people/search/`) and the API's serializers alike: active people who are not machine
clients. A service account pushes health reports; it is nobody's owner or sponsor."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q, QuerySet

from initiatives.core.choices import MACHINE_CLIENTS_GROUP

PEOPLE_SEARCH_LIMIT = 20


def display_name(user, empty: str = "Crossing") -> str:
    """How a person is named on pages and in e-mails; `empty` names the system itself."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


def names_by_username(usernames: Iterable[str]) -> dict[str, str]:
    """{username: name as pages show it} for these usernames; unknown ones are left out.
    One query (none for no username)."""
    usernames = {u for u in usernames if u}
    if not usernames:
        return {}
    people = get_user_model().objects.filter(username__in=usernames)
    return {p.username: display_name(p) for p in people}


def person_label(user) -> str:
    """How a person is offered in a picker: "First Last (username)", so two people with one
    name can be told apart; the username alone for someone without a name."""
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def machine_client_filter() -> Q:
    """Users who are machine clients: members of the machine-clients group who are not
    superusers (as `permissions.is_machine_client` judges one user)."""
    User = get_user_model()
    in_group = User.groups.through.objects.filter(
        **{User.groups.field.m2m_field_name(): OuterRef("pk")},
        group__in=Group.objects.filter(name=MACHINE_CLIENTS_GROUP),
    )
    return Q(Exists(in_group), is_superuser=False)


def people_to_name(*, keeping: Iterable[int] = ()) -> QuerySet:
    """Active people who are not machine clients, by first name, last name, username.

    `keeping` (user ids) adds people already named on the object being edited, who may have
    left since: a form that shows them must not drop them on the next save. Adding one of
    them anew is still refused wherever `keeping` is not given."""
    eligible = Q(is_active=True) & ~machine_client_filter()
    keeping = [pk for pk in keeping if pk is not None]
    if keeping:
        eligible |= Q(pk__in=keeping)
    return get_user_model().objects.filter(eligible).order_by("first_name", "last_name", "username")


def people_search(query: str, *, limit: int = PEOPLE_SEARCH_LIMIT) -> list:
    """At most `limit` people from `people_to_name()` whose first name, last name or username
    contains every word of `query` (case-insensitive; "ada love" finds Ada Lovelace). An
    empty query finds nobody: the picker asks only once something is typed."""
    words = query.split()[:4]  # a name has few words; more only slows the query
    if not words:
        return []
    people = people_to_name()
    for word in words:
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    return list(people[:limit])
