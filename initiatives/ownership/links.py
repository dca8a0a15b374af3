from datetime import timedelta

from django.conf import settings
from django.core import signing

from initiatives.portfolio.models import Initiative

CONFIRM_SALT = "crossing.ownership-confirm"


# --- The one-click confirmation link --------------------------------------------------------


def confirmation_token(initiative: Initiative) -> str:
    """Signed, expiring, single-use: it names the confirmation it replaces, so once the owner
    confirms (by this link or any other way) it no longer matches."""
    confirmed = initiative.owner_confirmed_at.isoformat() if initiative.owner_confirmed_at else ""
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(
        {"i": initiative.pk, "o": initiative.production_owner_id, "c": confirmed}
    )


def read_confirmation_token(token: str) -> dict:
    """The token's payload. Raises signing.SignatureExpired or signing.BadSignature."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
        token, max_age=timedelta(days=settings.PORTAL_CONFIRM_LINK_MAX_AGE_DAYS)
    )
