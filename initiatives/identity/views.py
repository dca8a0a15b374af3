"""Signing in and out: the sign-in page (the provider's button, the password form), the
provider's round trip (mozilla-django-oidc's views, with the portal's failure page), and
signing out of the provider too."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from initiatives.identity.oidc import ProviderUnavailable, provider_metadata, provider_sign_out_url
from portal.security import SignInForm

logger = logging.getLogger(__name__)


def password_form_shown(request) -> bool:
    """The password form is on the sign-in page unless password sign-in is off; then only
    for the break-glass administrator, who asks for it (?password)."""
    return settings.PORTAL_PASSWORD_SIGN_IN or "password" in request.GET


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            provider_enabled=settings.OIDC_ENABLED,
            provider_name=settings.OIDC_PROVIDER_NAME,
            password_form=password_form_shown(self.request) or self.request.method == "POST",
            password_sign_in=settings.PORTAL_PASSWORD_SIGN_IN,
        )
        return context


class ProviderSignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a new state, nonce and PKCE challenge (the
    library keeps each in the session, for one use)."""

    def __init__(self, *args, **kwargs):
        # The library reads the endpoint in __init__; here it comes from discovery, in get().
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("No identity provider is configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata()["authorization_endpoint"]
        except ProviderUnavailable as error:
            logger.error("Cannot send people to the identity provider: %s", error)
            messages.error(
                request,
                f"{settings.OIDC_PROVIDER_NAME} cannot be reached just now. Try again in a "
                "moment; if it lasts, tell your administrator.",
            )
            return HttpResponseRedirect(reverse("login"))
        return super().get(request)


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code and the state. Any refusal (an
    unknown or reused state, a code the provider refuses, a token that fails its checks, a
    deactivated person) ends on the sign-in page with one plain message; why is logged."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("No identity provider is configured.")
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            logger.warning("Sign-in through the identity provider refused: %s", error)
            return self.login_failure()

    @property
    def failure_url(self) -> str:
        return reverse("login")

    def login_failure(self):
        messages.error(
            self.request,
            f"Signing in with {settings.OIDC_PROVIDER_NAME} did not work. Try again; if it "
            "keeps failing, your account may be deactivated: ask your administrator.",
        )
        return super().login_failure()


class SignOutView(auth_views.LogoutView):
    """Ends the portal session, then, for a person who signed in through the provider, sends
    them to the provider's end-session page (when it has one) to end that session too."""

    def post(self, request, *args, **kwargs):
        provider_url = provider_sign_out_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_url) if provider_url else response
