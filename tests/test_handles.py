"""What officers paste as a handle becomes the platform's handle, or a clear error."""

import pytest
from django.core.exceptions import ValidationError

from departments.handles import normalize_handle, profile_url


@pytest.mark.parametrize(
    ("platform", "raw", "expected"),
    [
        ("x", "@DmDausa", "DmDausa"),
        ("x", "DmDausa", "DmDausa"),
        ("x", "https://x.com/DmDausa", "DmDausa"),
        ("x", "https://twitter.com/DmDausa?ref_src=twsrc", "DmDausa"),
        ("x", "x.com/DmDausa/", "DmDausa"),
        ("facebook", "https://www.facebook.com/dm.patna/", "dm.patna"),
        ("facebook", "https://www.facebook.com/profile.php?id=100064512345678", "100064512345678"),
        ("facebook", "dm.patna", "dm.patna"),
        ("youtube", "@DistPatna", "@DistPatna"),
        ("youtube", "DistPatna", "@DistPatna"),
        ("youtube", "https://www.youtube.com/@DistPatna", "@DistPatna"),
        ("youtube", "https://www.youtube.com/channel/UC1234567890abcdefghijAB", "UC1234567890abcdefghijAB"),
    ],
)
def test_accepted_forms(platform, raw, expected):
    assert normalize_handle(platform, raw) == expected


@pytest.mark.parametrize(
    ("platform", "raw", "message"),
    [
        ("x", "", "The handle is empty."),
        ("x", "@this_handle_is_too_long", "is not a valid X handle"),
        ("x", "Dm Dausa", "is not a valid X handle"),
        ("x", "https://facebook.com/DmDausa", "is not a X address"),
        ("facebook", "abc", "is not a Facebook page name"),
        ("youtube", "@a", "is not a YouTube handle"),
    ],
)
def test_rejected_forms_say_why(platform, raw, message):
    with pytest.raises(ValidationError, match=message):
        normalize_handle(platform, raw)


def test_profile_urls():
    assert profile_url("x", "DmDausa") == "https://x.com/DmDausa"
    assert profile_url("youtube", "UC1234567890abcdefghijAB").endswith("/channel/UC1234567890abcdefghijAB")
    assert profile_url("youtube", "@DistPatna") == "https://www.youtube.com/@DistPatna"
