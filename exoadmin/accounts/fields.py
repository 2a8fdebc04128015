"""A text field stored encrypted (Fernet) with the keys in settings.FIELD_ENCRYPTION_KEYS."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _cipher() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


class EncryptedTextField(models.TextField):
    """Plain text in Python, ciphertext in the database; "" stays "" (meaning: not set)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return _cipher().decrypt(value.encode()).decode()
        except InvalidToken:
            raise ImproperlyConfigured(
                "A stored Exotel secret cannot be decrypted: FIELD_ENCRYPTION_KEYS no longer "
                "holds the key it was encrypted with."
            ) from None

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return _cipher().encrypt(value.encode()).decode()
