"""Model fields of general use."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core import crypto


class Credentials(dict):
    """A dict of secrets whose repr never shows them (logs, tracebacks, shells)."""

    def __repr__(self) -> str:
        return f"<Credentials: {len(self)} field(s), redacted>"

    __str__ = __repr__


class EncryptedJSONField(models.TextField):
    """A JSON object stored as one Fernet token; decrypted only in Python.

    The column holds ciphertext, so a database dump shows no secret. Lookups on
    the content are impossible by design.
    """

    description = "JSON object encrypted with MultiFernet"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Credentials | None:
        if value is None or value == "":
            return None
        try:
            return Credentials(json.loads(crypto.decrypt(value)))
        except crypto.InvalidToken:
            raise ValidationError(
                "Stored credentials cannot be decrypted with the configured GOVSOCIAL_CREDENTIALS_KEYS."
            ) from None

    def to_python(self, value: Any) -> Credentials | None:
        if value is None or value == "":
            return None
        if isinstance(value, dict):
            return Credentials(value)
        if isinstance(value, str):
            try:
                return Credentials(json.loads(crypto.decrypt(value)))
            except crypto.InvalidToken:
                pass
            try:
                loaded = json.loads(value)
            except json.JSONDecodeError:
                raise ValidationError("Credentials must be a JSON object.") from None
            if isinstance(loaded, dict):
                return Credentials(loaded)
        raise ValidationError("Credentials must be a JSON object.")

    def get_prep_value(self, value: Any) -> str | None:
        value = self.to_python(value)
        if not value:
            return None
        return crypto.encrypt(json.dumps(dict(value), sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) writes the ciphertext, never the secret.
        return self.get_prep_value(self.value_from_object(obj)) or ""
