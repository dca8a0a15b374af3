from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from initiatives.accounts import services


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's hashed tokens, recording each token's last use (throttled: see the service)."""

    def authenticate_credentials(self, token: bytes):
        # knox decodes the token as UTF-8 and lets a failure escape as a server error; bytes
        # that are no text at all are a wrong token like any other (401, throttled).
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid token.")) from None
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        services.api_token_touch(token=token)
        return user, token
