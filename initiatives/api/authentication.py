from knox.auth import TokenAuthentication as KnoxTokenAuthentication

from .. import services


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's hashed tokens, recording each token's last use (throttled: see the service)."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        services.api_token_touch(token=token)
        return user, token
