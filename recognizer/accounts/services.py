"""Writes of the account pages: a user's API token. Drawings and numbers are deleted through
`recognizer.services.drawing_delete` and `recognizer.number_services.number_delete`."""
import logging

from django.db import transaction
from rest_framework.authtoken.models import Token

logger = logging.getLogger(__name__)


def api_token_create(*, user) -> Token:
    """A new token for `user` (DRF keeps one per user): any earlier token stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
    logger.info("api token created", extra={"user_id": user.pk})
    return token


def api_token_revoke(*, user) -> bool:
    """Deletes `user`'s token; False when there was none."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        logger.info("api token revoked", extra={"user_id": user.pk})
    return bool(deleted)
