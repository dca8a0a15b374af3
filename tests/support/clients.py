"""Clients that act as a person: on the web pages (a session) or on the API (a token)."""

from django.test import Client
from rest_framework.test import APIClient

from tests.factories import AuthTokenFactory


def client_for(user) -> Client:
    """A web client signed in as `user` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client_for(user=None) -> APIClient:
    """An API client sending a new token of `user`'s (anonymous for None)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthTokenFactory(user=user).key}")
    return client


def listed_slugs(response) -> set[str]:
    """Every initiative a list page's filter selects, on all its pages, by slug. The page
    reads only its own rows (a deferred join), so the whole selection is read by slicing it
    to the paginator's count."""
    paginator = response.context["paginator"]
    return {i.slug for i in paginator.object_list[: paginator.count]}
