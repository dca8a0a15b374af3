"""`create_api_token USERNAME`: a token for a script, printed once, never for a deactivated
person."""

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_create_api_token_prints_the_token_alone_on_the_last_line(viewer, capsys):
    call_command("create_api_token", "viewer")
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    response = APIClient().get("/api/v1/initiatives/", HTTP_AUTHORIZATION=f"Token {last_line}")
    assert response.status_code == 200
    assert AuthToken.objects.get().token_key == last_line[:15]
    assert last_line not in {t.digest for t in AuthToken.objects.all()}  # only a hash is kept


def test_create_api_token_refuses_unknown_and_deactivated_users(viewer):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No single user"):
        call_command("create_api_token", "nobody")
    viewer.is_active = False
    viewer.save()
    with pytest.raises(CommandError, match="deactivated"):
        call_command("create_api_token", "viewer")
    assert not AuthToken.objects.exists()
