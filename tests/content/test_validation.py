"""content.validation: a post's text and images, checked as X and Facebook check them.

Plain functions: no database.
"""

from __future__ import annotations

import io
import random
import time
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from content.validation import FACEBOOK_MAX_TEXT_LENGTH, images_clean, validate_for_account, x_weighted_length
from notices.uploads import CleanUpload

MB = 1024 * 1024
X_ACCOUNT = "X @DMPatna"
FACEBOOK_ACCOUNT = "Facebook DM Patna"

# 59 code points, all Devanagari (U+0900–U+097F) or spaces.
HINDI_SENTENCE = "पटना जिला प्रशासन द्वारा स्वच्छता अभियान का आयोजन किया गया। "
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man, woman, girl, boy: 7 code points
INDIA_FLAG = "\U0001f1ee\U0001f1f3"


def for_x(text: str = "", images=()) -> list[str]:
    return validate_for_account(platform="x", account_label=X_ACCOUNT, text=text, images=list(images))


def for_facebook(text: str = "", images=()) -> list[str]:
    return validate_for_account(platform="facebook", account_label=FACEBOOK_ACCOUNT, text=text, images=list(images))


def image(name: str = "photo.jpg", content_type: str = "image/jpeg", size: int = 100_000) -> CleanUpload:
    return CleanUpload(name=name, content_type=content_type, data=b"", size=size, sha256="")


def hindi(code_points: int) -> str:
    text = (HINDI_SENTENCE * (code_points // len(HINDI_SENTENCE) + 1))[:code_points]
    return text[:-1] + "।"  # ends on a full stop, not halfway through a word's marks


def noise_jpeg(side: int) -> bytes:
    """A photo that JPEG cannot compress much: about 0.75 bytes a pixel once re-encoded."""
    pixels = random.Random(side).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, format="JPEG", quality=90)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- X's weighted length ------------------------------------------------------------------------
def test_x_accepts_280_ascii_characters():
    assert x_weighted_length("a" * 280) == 280
    assert for_x("a" * 280) == []


def test_x_refuses_281_ascii_characters_naming_the_account():
    assert for_x("a" * 281) == [
        "X @DMPatna: the text is 281 characters as X counts them (links count 23, emoji and "
        "Chinese or Japanese characters 2); the limit is 280."
    ]


def test_x_accepts_a_280_character_hindi_post_each_devanagari_code_point_counting_1():
    text = hindi(280)
    assert len(text) == 280
    assert all("\u0900" <= char <= "\u097f" or char == " " for char in text)
    assert x_weighted_length(text) == 280
    assert for_x(text) == []
    assert "281 characters" in for_x(text + "।")[0]


def test_x_counts_chinese_characters_2_so_141_are_refused():
    assert x_weighted_length("中" * 140) == 280
    assert for_x("中" * 140) == []
    assert x_weighted_length("中" * 141) == 282
    assert "282 characters" in for_x("中" * 141)[0]


def test_x_counts_curly_quotes_and_dashes_1():
    assert x_weighted_length("\u201cनमस्ते\u201d \u2014 DM") == 1 + 6 + 1 + 1 + 1 + 1 + 2


@pytest.mark.parametrize(
    "url",
    [
        "https://t.co/x",
        "https://patna.nic.in",
        "http://bihar.gov.in/notices?id=42",
        "https://example.com/" + "a" * 80,  # 100 characters
        "www.example.com",
        "patna.nic.in",
        "patna.bih.nic.in/notices/2025",
        "patna.in/x",
    ],
)
def test_x_counts_a_url_as_23_whatever_its_length(url):
    assert x_weighted_length(url) == 23
    assert x_weighted_length(f"देखें {url} पर") == 5 + 1 + 23 + 1 + 2  # देखें is 5 code points


def test_x_counts_a_100_character_url_as_23_in_a_full_post():
    url = "https://state.bihar.gov.in/" + "x" * 73
    assert len(url) == 100
    assert x_weighted_length("a" * 256 + " " + url) == 280
    assert for_x("a" * 256 + " " + url) == []
    assert "281 characters" in for_x("a" * 257 + " " + url)[0]


def test_x_counts_two_urls_23_each():
    assert x_weighted_length("https://a.com/1 https://b.org/2") == 23 + 1 + 23


def test_x_does_not_link_a_bare_two_part_country_domain_nor_a_host_without_a_known_domain():
    # As twitter-text: "patna.in" alone is not a link (it is with a path, or as "www.patna.in").
    assert x_weighted_length("patna.in") == 8
    assert x_weighted_length("www.patna.in") == 23
    assert x_weighted_length("http://localhost:8000/x") == len("http://localhost:8000/x")
    assert x_weighted_length("email@example.com") == 17


def test_x_counts_a_long_text_without_spaces_quickly():
    """Long runs of letters and dots (pasted, or made to slow the server) take linear time, not minutes."""
    started = time.perf_counter()
    assert x_weighted_length("क" * 30_000 + ".") == 30_001
    assert x_weighted_length("a." * 30_000 + "com") == 60_003  # far too long for one link
    assert x_weighted_length(("क" * 50 + ".") * 600) == 30_600
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "emoji",
    [
        "\U0001f600",  # grinning face
        FAMILY,  # a ZWJ sequence of four people
        INDIA_FLAG,  # two regional indicators
        "\U0001f44d\U0001f3fd",  # thumbs up, medium skin tone
        "1\ufe0f\u20e3",  # keycap 1
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag: flag, VS16, ZWJ, rainbow
        "\u2764\ufe0f",  # red heart with VS16
        "\u00a9\ufe0f",  # copyright sign as emoji
    ],
)
def test_x_counts_every_emoji_sequence_2(emoji):
    assert x_weighted_length(emoji) == 2
    assert x_weighted_length(f"नमस्ते {emoji}!") == 6 + 1 + 2 + 1


def test_x_accepts_140_family_emoji_and_refuses_141():
    assert x_weighted_length(FAMILY * 140) == 280
    assert for_x(FAMILY * 140) == []
    assert "282 characters" in for_x(FAMILY * 141)[0]


def test_x_counts_a_plain_copyright_sign_as_a_character():
    assert x_weighted_length("\u00a9 Bihar") == 7


def test_x_counts_the_nfc_normalised_text():
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert unicodedata.normalize("NFC", decomposed) == composed
    assert x_weighted_length(decomposed) == x_weighted_length(composed) == 4
    assert for_x("a" * 279 + "e\u0301") == []  # 281 code points, 280 once composed
    # Devanagari with nukta: NFC keeps it as two code points (U+0958 is decomposed), as X counts it.
    assert x_weighted_length("\u0958") == x_weighted_length("\u0915\u093c") == 2


def test_x_refuses_invisible_direction_marks_naming_them():
    assert for_x("नमस्ते \u202edlrow") == [
        "X @DMPatna: the text contains invisible characters that X refuses (U+202E), often pasted along "
        "with text from another app; delete and retype the text around them."
    ]


# --- Empty posts --------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_post_is_refused_by_both(text):
    assert for_x(text) == ["X @DMPatna: write some text or attach an image; X does not take an empty post."]
    assert for_facebook(text) == [
        "Facebook DM Patna: write some text or attach an image; Facebook does not take an empty post."
    ]


def test_images_without_text_are_a_post():
    assert for_x("", [image()]) == []
    assert for_facebook("", [image()]) == []


# --- Facebook's text ----------------------------------------------------------------------------
def test_facebook_takes_63206_characters_and_refuses_63207():
    assert FACEBOOK_MAX_TEXT_LENGTH == 63_206
    assert for_facebook("a" * 63_206) == []
    assert for_facebook("a" * 63_207) == ["Facebook DM Patna: the text is 63,207 characters; the limit is 63,206."]


def test_a_long_post_fits_facebook_but_not_x():
    text = hindi(500)
    assert for_facebook(text) == []
    assert for_x(text) == [
        "X @DMPatna: the text is 500 characters as X counts them (links count 23, emoji and "
        "Chinese or Japanese characters 2); the limit is 280."
    ]


# --- Images -------------------------------------------------------------------------------------
def test_x_refuses_a_6_mb_jpeg_and_accepts_a_4_mb_one():
    # The sizes in messages keep their unit on the same line: "6.0\xa0MB".
    assert for_x("Photo", [image(size=6 * MB)]) == [
        "X @DMPatna: photo.jpg is 6.0\xa0MB; X takes JPEG images up to 5.0\xa0MB."
    ]
    assert for_x("Photo", [image(size=4 * MB)]) == []
    assert for_x("Photo", [image(size=5 * MB)]) == []


def test_facebook_takes_photos_up_to_4_mb():
    assert for_facebook("Photo", [image(size=4 * MB)]) == []
    assert for_facebook("Photo", [image("chart.png", "image/png", size=4 * MB + 1)]) == [
        "Facebook DM Patna: chart.png is 4.0\xa0MB; Facebook takes PNG images up to 4.0\xa0MB."
    ]


def test_the_same_real_photo_cleaned_is_checked_per_account():
    """A photo of about 6 MB once cleaned: refused for X. One of about 4.5 MB: X takes it, Facebook not."""
    big, medium = images_clean(
        [SimpleUploadedFile("big.jpg", noise_jpeg(2900)), SimpleUploadedFile("medium.jpg", noise_jpeg(2500))]
    )
    assert 5 * MB < big.size < 7 * MB
    assert 4 * MB < medium.size <= 5 * MB
    assert big.content_type == medium.content_type == "image/jpeg"
    assert for_x("Photos", [big]) == [
        f"X @DMPatna: big.jpg is {big.size / MB:.1f}\xa0MB; X takes JPEG images up to 5.0\xa0MB."
    ]
    assert for_x("Photos", [medium]) == []
    assert for_facebook("Photos", [medium]) == [
        f"Facebook DM Patna: medium.jpg is {medium.size / MB:.1f}\xa0MB; Facebook takes JPEG images up to 4.0\xa0MB."
    ]


def test_five_images_are_refused_by_both():
    five = [image(f"photo-{n}.jpg") for n in range(1, 6)]
    assert for_x("Photos", five[:4]) == []
    assert for_x("Photos", five) == ["X @DMPatna: 5 images are attached; X takes at most 4 to a post."]
    assert for_facebook("Photos", five) == [
        "Facebook DM Patna: 5 images are attached; Facebook takes at most 4 to a post."
    ]


def test_a_non_image_is_refused_by_both():
    notice = image("notice.pdf", "application/pdf")
    assert for_x("See", [notice]) == ["X @DMPatna: notice.pdf is not an image; only photos can be attached to a post."]
    assert for_facebook("See", [notice]) == [
        "Facebook DM Patna: notice.pdf is not an image; only photos can be attached to a post."
    ]


def test_x_takes_a_gif_up_to_15_mb_but_only_on_its_own():
    gif = image("rally.gif", "image/gif", size=12 * MB)
    assert for_x("Rally", [gif]) == []
    assert for_x("Rally", [gif, image()]) == [
        "X @DMPatna: rally.gif is a GIF; X takes a GIF only on its own, not with other images."
    ]
    assert for_x("Rally", [image("rally.gif", "image/gif", size=16 * MB)]) == [
        "X @DMPatna: rally.gif is 16.0\xa0MB; X takes GIF images up to 15.0\xa0MB."
    ]


def test_facebook_takes_jpeg_and_png_only():
    assert for_facebook("Rally", [image("rally.gif", "image/gif")]) == [
        "Facebook DM Patna: rally.gif is a GIF image; Facebook takes JPEG and PNG."
    ]
    assert for_x("Rally", [image("rally.webp", "image/webp")]) == []


def test_every_message_names_the_account():
    post = ("a" * 300, [image(f"p{n}.pdf", "application/pdf", size=20 * MB) for n in range(5)])
    x_errors, facebook_errors = for_x(*post), for_facebook(*post)
    assert len(x_errors) == 1 + 1 + 5
    assert len(facebook_errors) == 1 + 5
    assert all(error.startswith("X @DMPatna: ") for error in x_errors)
    assert all(error.startswith("Facebook DM Patna: ") for error in facebook_errors)


def test_a_platform_without_posts_is_refused():
    assert validate_for_account(platform="youtube", account_label="YouTube DM Patna", text="Hi", images=[]) == [
        "YouTube DM Patna: posts to YouTube cannot be made from here."
    ]


# --- images_clean -------------------------------------------------------------------------------
def test_images_clean_returns_reencoded_jpeg_and_png():
    cleaned = images_clean(
        [SimpleUploadedFile("Flood relief.png", png_bytes()), SimpleUploadedFile("camp.jpeg", noise_jpeg(64))]
    )
    assert [(upload.name, upload.content_type) for upload in cleaned] == [
        ("flood-relief.png", "image/png"),
        ("camp.jpg", "image/jpeg"),
    ]


def test_images_clean_refuses_a_pdf_and_a_text_file_named_png_as_not_images():
    with pytest.raises(ValidationError) as caught:
        images_clean(
            [
                SimpleUploadedFile("ok.png", png_bytes()),
                SimpleUploadedFile("notice.pdf", pdf_bytes()),
                SimpleUploadedFile("photo.png", b"Meeting at 4 pm in the collectorate.\n"),
            ]
        )
    assert caught.value.messages == [
        "notice.pdf is not an image: attach JPEG or PNG photos to a post.",
        "photo.png is not an image that can be posted: its content is not an image or a PDF. "
        "Attach JPEG or PNG photos.",
    ]
    assert {error.code for error in caught.value.error_list} == {"not_image"}


def test_images_clean_passes_on_the_upload_layers_other_refusals():
    with pytest.raises(ValidationError) as caught:
        images_clean([SimpleUploadedFile("empty.jpg", b""), SimpleUploadedFile("cut.png", png_bytes()[:30])])
    assert caught.value.messages == [
        "empty.jpg is empty.",
        "cut.png is damaged or incomplete: it could not be read as a PNG image.",
    ]
