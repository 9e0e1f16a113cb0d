"""Normalising and validating what people type as an account's handle.

Officers paste ``@DmDausa``, ``https://x.com/DmDausa`` or a Facebook page URL;
each is reduced to the bare handle the platform knows, or rejected with the
platform's own rule in the message.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from departments.choices import Platform

_X_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_FB_PAGE = re.compile(r"^(?:[A-Za-z0-9.\-]{5,50}|[0-9]{5,20})$")
_YT_HANDLE = re.compile(r"^@[A-Za-z0-9._\-]{3,30}$")
_YT_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_\-]{22}$")

_HOSTS = {
    Platform.X: {"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"},
    Platform.FACEBOOK: {"facebook.com", "www.facebook.com", "m.facebook.com", "fb.com"},
    Platform.YOUTUBE: {"youtube.com", "www.youtube.com", "m.youtube.com"},
}


def _from_url(platform: str, raw: str) -> str:
    parsed = urlparse(raw if "://" in raw else f"https://{raw}")
    if parsed.hostname not in _HOSTS[platform]:
        label = Platform(platform).label
        raise ValidationError(_("%(url)s is not a %(platform)s address.") % {"url": raw, "platform": label})
    parts = [part for part in parsed.path.split("/") if part]
    if platform == Platform.YOUTUBE and len(parts) >= 2 and parts[0] == "channel":
        return parts[1]
    if platform == Platform.FACEBOOK and parts and parts[0] == "profile.php":
        query = dict(pair.split("=", 1) for pair in parsed.query.split("&") if "=" in pair)
        return query.get("id", "")
    return parts[0] if parts else ""


def normalize_handle(platform: str, raw: str) -> str:
    """Return the canonical handle for ``platform`` or raise ``ValidationError``."""
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("The handle is empty."))
    lowered = value.lower()
    if "/" in value or lowered.startswith(("http:", "https:")):
        value = _from_url(platform, value)
    if platform == Platform.X:
        value = value.lstrip("@")
        if not _X_HANDLE.match(value):
            raise ValidationError(
                _("%(handle)s is not a valid X handle: 1 to 15 letters, digits or underscores.") % {"handle": raw}
            )
        return value
    if platform == Platform.FACEBOOK:
        value = value.lstrip("@")
        if not _FB_PAGE.match(value):
            raise ValidationError(
                _("%(handle)s is not a Facebook page name (5 to 50 letters, digits or dots) or page id.")
                % {"handle": raw}
            )
        return value
    if platform == Platform.YOUTUBE:
        if _YT_CHANNEL_ID.match(value):
            return value
        if not value.startswith("@"):
            value = f"@{value}"
        if not _YT_HANDLE.match(value):
            raise ValidationError(
                _("%(handle)s is not a YouTube handle (@name) or channel id (UC…, 24 characters).") % {"handle": raw}
            )
        return value
    raise ValidationError(_("Unknown platform %(platform)s.") % {"platform": platform})


def profile_url(platform: str, handle: str) -> str:
    if platform == Platform.X:
        return f"https://x.com/{handle}"
    if platform == Platform.FACEBOOK:
        return f"https://www.facebook.com/{handle}"
    if platform == Platform.YOUTUBE:
        return f"https://www.youtube.com/{handle if handle.startswith('@') else 'channel/' + handle}"
    return ""
