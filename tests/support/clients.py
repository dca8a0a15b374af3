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
