"""API tokens on the profile page: made and shown once, used, last use shown, revoked."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from initiatives.core import formats
from initiatives.models import ApiTokenInfo, ApiTokenRevocation
from tests.factories import AuthTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
KEY = re.compile(r'data-testid="new-token">([0-9a-f]+)<')


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create_on_page(client: Client, name: str) -> str:
    response = client.post(PROFILE, {"action": "create", "name": name})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    return KEY.search(response.content.decode()).group(1)


def api_get(key: str, path: str = "/api/v1/initiatives/"):
    return APIClient().get(path, HTTP_AUTHORIZATION=f"Token {key}")


def token_row(client: Client, name: str) -> str:
    page = client.get(PROFILE).content.decode()
    row = re.search(rf"<tr data-token=\"\w+\">\s*<td>{re.escape(name)}</td>.*?</tr>", page, re.S)
    assert row, f"no row for {name!r} on the profile page"
    return row.group(0)


def test_top_bar_links_to_the_profile_page(viewer):
    page = signed_in(viewer).get(reverse("portfolio")).content.decode()
    assert f'href="{PROFILE}"' in page


def test_profile_page_is_for_signed_in_people_only():
    response = Client().get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_token_made_on_the_page_works_shows_its_last_use_and_stops_when_revoked(viewer):
    page = signed_in(viewer)
    key = create_on_page(page, "monitoring job")
    # Shown once: the page never shows it again, and only its hash is stored.
    assert key not in page.get(PROFILE).content.decode()
    assert not AuthToken.objects.filter(digest=key).exists()
    assert "never" in token_row(page, "monitoring job")

    assert api_get(key).status_code == 200
    first_use = ApiTokenInfo.objects.get(name="monitoring job").last_used_at
    assert first_use is not None
    assert shown(first_use) in token_row(page, "monitoring job")

    # A minute later (the resolution of "last used"), the next use moves it.
    ApiTokenInfo.objects.update(last_used_at=first_use - timedelta(minutes=5))
    cache.clear()
    assert api_get(key).status_code == 200
    assert ApiTokenInfo.objects.get().last_used_at > first_use - timedelta(minutes=5)

    token_key = AuthToken.objects.get(user=viewer).token_key
    revoked = page.post(PROFILE, {"action": "revoke", "token_key": token_key}, follow=True)
    assert "Token revoked" in revoked.content.decode()
    assert not AuthToken.objects.exists()
    assert not ApiTokenInfo.objects.exists()
    refused = api_get(key)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}


def test_last_use_is_written_at_most_once_a_minute(viewer):
    key = create_on_page(signed_in(viewer), "laptop")
    assert api_get(key).status_code == 200  # records the use
    recorded = ApiTokenInfo.objects.get().last_used_at

    with CaptureQueriesContext(connection) as later:
        for _ in range(5):
            assert api_get(key).status_code == 200

    writes = [q["sql"] for q in later.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert writes == []
    assert ApiTokenInfo.objects.get().last_used_at == recorded


def test_token_needs_a_name_and_the_form_says_so(viewer):
    response = signed_in(viewer).post(PROFILE, {"action": "create", "name": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not AuthToken.objects.exists()


def test_nobody_revokes_another_persons_token(viewer):
    other = UserFactory(username="other")
    key = create_on_page(signed_in(other), "theirs")
    token_key = AuthToken.objects.get().token_key

    response = signed_in(viewer).post(
        PROFILE, {"action": "revoke", "token_key": token_key}, follow=True
    )

    assert "No such token" in response.content.decode()
    assert api_get(key).status_code == 200
    # Nor does the page list it to them.
    assert token_key not in signed_in(viewer).get(PROFILE).content.decode()


def test_command_labels_its_token_for_the_profile_page(viewer, capsys):
    call_command("create_api_token", "viewer", "--name", "nightly export")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert api_get(key).status_code == 200
    assert "nightly export" in signed_in(viewer).get(PROFILE).content.decode()


def test_token_made_elsewhere_gets_its_last_use_recorded_too(viewer):
    key = AuthTokenFactory(user=viewer).key  # e.g. in the admin
    before = timezone.now()
    assert api_get(key).status_code == 200
    assert ApiTokenInfo.objects.get().last_used_at >= before


# --- Expiry and revocation --------------------------------------------------------------------


def test_a_token_expires_after_the_configured_days_as_the_profile_page_says(viewer, settings):
    settings.PORTAL_API_TOKEN_DAYS = 30
    page = signed_in(viewer)
    key = create_on_page(page, "monitoring job")

    expiry = AuthToken.objects.get(user=viewer).expiry
    assert expiry is not None
    assert abs(expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    profile = page.get(PROFILE).content.decode()
    assert "A token expires 30 days" in profile
    expires_cell = f'<td class="expires">{shown(expiry)}</td>'
    assert expires_cell in token_row(page, "monitoring job")
    assert api_get(key).status_code == 200

    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))  # 30 days later
    refused = api_get(key)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}


def test_the_command_says_when_its_token_expires(viewer, capsys):
    call_command("create_api_token", "viewer", "--name", "nightly export")
    expiry = timezone.localtime(AuthToken.objects.get(user=viewer).expiry)
    assert f"expires {expiry:%Y-%m-%d %H:%M}" in capsys.readouterr().err
    assert expiry > timezone.now() + timedelta(days=364)  # PORTAL_API_TOKEN_DAYS, 365


def two_tokens(user) -> list[str]:
    made_on_page = create_on_page(signed_in(user), "laptop")
    made_in_admin = AuthTokenFactory(user=user).key
    assert [api_get(key).status_code for key in (made_on_page, made_in_admin)] == [200, 200]
    return [made_on_page, made_in_admin]


def test_a_password_changed_in_the_admin_revokes_every_token_of_that_person(
    viewer, contributor, staff
):
    keys = two_tokens(viewer)
    others = create_on_page(signed_in(contributor), "contributor's job")

    response = signed_in(staff).post(
        reverse("admin:auth_user_password_change", args=[viewer.pk]),
        {"password1": "a new passphrase 4 viewer", "password2": "a new passphrase 4 viewer"},
    )

    assert response.status_code == 302
    assert [api_get(key).status_code for key in keys] == [401, 401]
    assert api_get(others).status_code == 200  # nobody else's
    revoked = ApiTokenRevocation.objects.filter(user=viewer)
    assert sorted(revoked.values_list("reason", flat=True)) == ["password_changed"] * 2
    viewer.refresh_from_db()  # signed in again, with the new password
    profile = signed_in(viewer).get(PROFILE).content.decode()
    assert "You have no tokens." in profile
    assert "laptop" in profile
    assert "The password changed" in profile


def test_a_person_changes_their_own_password_stays_signed_in_and_loses_their_tokens(viewer):
    """Their profile says tokens are revoked when the password changes; now they can change
    it themselves (it took an administrator before)."""
    keys = two_tokens(viewer)
    client = signed_in(viewer)
    assert reverse("password-change") in client.get(PROFILE).content.decode()

    wrong = client.post(
        reverse("password-change"),
        {
            "old_password": "not it",
            "new_password1": "a new passphrase 4 viewer",
            "new_password2": "a new passphrase 4 viewer",
        },
    )
    assert wrong.status_code == 200  # the form again, saying why
    assert wrong.context["form"].errors["old_password"]
    assert [api_get(key).status_code for key in keys] == [200, 200]

    changed = client.post(
        reverse("password-change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "a new passphrase 4 viewer",
            "new_password2": "a new passphrase 4 viewer",
        },
        follow=True,
    )

    assert changed.redirect_chain == [(PROFILE, 302)]
    assert "Your password is changed. Any API tokens you had are revoked" in (
        changed.content.decode()
    )
    assert [api_get(key).status_code for key in keys] == [401, 401]
    assert client.get(PROFILE).status_code == 200  # still signed in
    viewer.refresh_from_db()
    assert viewer.check_password("a new passphrase 4 viewer")


def test_deactivating_a_person_in_the_admin_revokes_their_tokens(viewer, staff):
    keys = two_tokens(viewer)
    form = {
        "username": viewer.username,
        "first_name": viewer.first_name,
        "last_name": viewer.last_name,
        "email": viewer.email,
        # "is_active" left out: the box is unticked
        "date_joined_0": f"{viewer.date_joined:%Y-%m-%d}",
        "date_joined_1": f"{viewer.date_joined:%H:%M:%S}",
        "last_login_0": "",
        "last_login_1": "",
    }

    response = signed_in(staff).post(reverse("admin:auth_user_change", args=[viewer.pk]), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    viewer.refresh_from_db()
    assert not viewer.is_active
    assert not AuthToken.objects.filter(user=viewer).exists()
    assert [api_get(key).status_code for key in keys] == [401, 401]
    assert set(ApiTokenRevocation.objects.values_list("reason", flat=True)) == {"deactivated"}
    # Active again, they start with no token: the old ones stay revoked.
    viewer.is_active = True
    viewer.save()
    assert [api_get(key).status_code for key in keys] == [401, 401]


def test_signing_in_keeps_tokens_when_django_upgrades_the_password_hash(viewer, settings):
    key = create_on_page(signed_in(viewer), "laptop")
    old_hash = viewer.password  # MD5, the only hasher the tests use
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    signed_in_now = Client().post(
        reverse("login"), {"username": "viewer", "password": "correct horse battery staple"}
    )

    assert signed_in_now.status_code == 302
    viewer.refresh_from_db()
    assert viewer.password != old_hash
    assert viewer.password.startswith("pbkdf2_")
    assert api_get(key).status_code == 200
    assert not ApiTokenRevocation.objects.exists()


def test_a_password_set_by_a_script_revokes_tokens_too(viewer):
    key = create_on_page(signed_in(viewer), "laptop")
    viewer.set_password("another passphrase entirely")
    viewer.save()
    assert api_get(key).status_code == 401
    assert ApiTokenRevocation.objects.get().reason == "password_changed"


def shown(moment) -> str:
    """A moment as every page shows it ("30 Nov 2026 04:32 UTC", in the portal's time zone)."""
    return formats.when(moment)


# --- What the list says about each token ----------------------------------------------------


def test_profile_lists_each_tokens_expiry_and_last_use_in_words(viewer):
    now = timezone.now()
    used = AuthTokenFactory(user=viewer, expiry=timedelta(days=20))  # knox: a lifetime
    ApiTokenInfo.objects.create(token=used, name="nightly export", last_used_at=now)
    unused = AuthTokenFactory(user=viewer, expiry=timedelta(days=5))
    ApiTokenInfo.objects.create(token=unused, name="new script")
    lapsed = AuthTokenFactory(user=viewer, expiry=-timedelta(hours=1))
    ApiTokenInfo.objects.create(token=lapsed, name="old job", last_used_at=now - timedelta(days=3))
    ApiTokenRevocation.objects.create(
        user=viewer,
        token_key="deadbeef",
        name="leaked one",
        created=now - timedelta(days=9),
        reason=ApiTokenRevocation.Reason.BY_OWNER,
    )
    client = signed_in(viewer)

    with CaptureQueriesContext(connection) as three_tokens:
        page = client.get(PROFILE).content.decode()

    assert f'<td class="last-used">{shown(now)}</td>' in token_row(client, "nightly export")
    assert "never used" not in token_row(client, "nightly export")
    assert f'<td class="expires">{shown(used.expiry)}</td>' in token_row(client, "nightly export")
    assert '<td class="last-used">never used</td>' in token_row(client, "new script")
    lapsed_row = token_row(client, "old job")
    assert f'<span class="badge bad">expired</span> {shown(lapsed.expiry)}' in lapsed_row
    assert "expired" not in token_row(client, "nightly export")
    revoked = re.search(r"<tr>\s*<td>leaked one</td>.*?</tr>", page, re.S).group(0)
    assert '<span class="badge">revoked</span>' in revoked
    assert "Revoked by its owner" in revoked

    # The tokens and their details are one query, however many tokens there are.
    for name in ("a", "b", "c"):
        ApiTokenInfo.objects.create(token=AuthTokenFactory(user=viewer), name=name)
    with CaptureQueriesContext(connection) as six_tokens:
        client.get(PROFILE)
    assert len(six_tokens) == len(three_tokens)


def test_new_token_is_shown_once_beside_a_copy_button(viewer):
    page = signed_in(viewer)
    response = page.post(PROFILE, {"action": "create", "name": "monitoring job"})
    html = response.content.decode()
    key = KEY.search(html).group(1)

    assert f'<code class="token" id="new-token-key" data-testid="new-token">{key}</code>' in html
    assert 'data-copy="new-token-key"' in html
    assert "js/copy.js" in html  # a script file of the portal's own: the CSP refuses inline
    assert 'data-copy="new-token-key"' not in page.get(PROFILE).content.decode()
