"""Encryption of platform credentials at rest (MultiFernet).

Keys come from ``GOVSOCIAL_CREDENTIALS_KEYS`` (newest first). In development,
with none set, a key is generated once into ``var/credentials.key`` so the
embedded default works; production refuses to start without keys.
"""

from __future__ import annotations

import functools
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "multifernet", "reset_keys"]


def _development_key() -> str:
    path = settings.GOVSOCIAL_CREDENTIALS_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    return path.read_text().strip()


@functools.cache
def multifernet() -> MultiFernet:
    keys = list(settings.GOVSOCIAL_CREDENTIALS_KEYS) or [_development_key()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"GOVSOCIAL_CREDENTIALS_KEYS holds a key that is not a Fernet key: {exc}") from None


def reset_keys() -> None:
    """Forget the cached keys (after the setting changed, e.g. in tests or rotation)."""
    multifernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return multifernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return multifernet().decrypt(token.encode()).decode()
