"""notices.uploads.upload_clean: what a reply's attachment may be, on a corpus of files built here.

Plain functions: no database.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image, ImageCms
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, NameObject, NumberObject

from notices.uploads import MAX_PDF_PAGES, CleanUpload, UploadRejected, upload_clean

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refusal(name: str, data: bytes, **kwargs) -> str:
    with pytest.raises(UploadRejected) as caught:
        upload_clean(upload(name, data), **kwargs)
    return str(caught.value)


# --- Builders -----------------------------------------------------------------
def image_bytes(fmt: str, size=(40, 20), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def two_colour_jpeg(**save) -> bytes:
    """40×20: red left half, blue right half."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, **save)
    return out.getvalue()


def noisy_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(out, format="JPEG", quality=95)
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def png_bomb(width: int, height: int) -> bytes:
    """A 1-bit black PNG of width × height: all zeros, so it compresses to almost nothing."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    row = bytes(1 + (width + 7) // 8)  # filter byte, then the packed pixels
    compressor = zlib.compressobj(9)
    rows_per_chunk = 1000
    idat = b"".join(compressor.compress(row * rows_per_chunk) for _ in range(height // rows_per_chunk))
    idat += compressor.compress(row * (height % rows_per_chunk)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims width × height."""
    data = bytearray(image_bytes("JPEG", size=(8, 8)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 7] = height.to_bytes(2, "big")
    data[sof + 7 : sof + 9] = width.to_bytes(2, "big")
    return bytes(data)


def raw_pdf(*objects: bytes, root: int = 1) -> bytes:
    """A PDF with a classic xref table; objects are numbered from 1 in order."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def pdf_with_compressed_action(action: bytes) -> bytes:
    """A PDF 1.5 whose OpenAction (object 4) sits in a Flate-compressed object stream: invisible to a byte scan."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    add(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")
    add(2, PAGES)
    add(3, PAGE)
    header = b"4 0 "
    packed = zlib.compress(header + action)
    add(
        5,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(header), len(packed), packed),
    )
    offsets[6] = len(out)
    rows = [(0, 0, 0xFFFF)] + [(1, offsets[n], 0) for n in (1, 2, 3)] + [(2, 5, 0), (1, offsets[5], 0)]
    rows.append((1, offsets[6], 0))
    table = b"".join(kind.to_bytes(1, "big") + a.to_bytes(4, "big") + b.to_bytes(2, "big") for kind, a, b in rows)
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        len(table),
        table,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def pypdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def clean_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    return pypdf_bytes(writer)


# --- Size ---------------------------------------------------------------------
def test_empty_file_is_refused():
    assert refusal("reply.pdf", b"") == "reply.pdf is empty."


def test_file_over_the_limit_is_refused():
    data = clean_pdf() + b"%" * 2048
    assert refusal("big.pdf", data, max_bytes=1024) == "big.pdf is larger than 1.0\xa0KB: upload a smaller file."


def test_limit_defaults_to_the_setting_read_at_call_time(settings):
    settings.NOTICE_UPLOAD_MAX_BYTES = 2048
    assert refusal("big.pdf", clean_pdf() + b"%" * 4096) == "big.pdf is larger than 2.0\xa0KB: upload a smaller file."


class EndlessStream(io.RawIOBase):
    """A file that never ends and counts what was read from it."""

    def __init__(self):
        self.read_total = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b"%" * len(buffer)
        self.read_total += len(buffer)
        return len(buffer)


def test_huge_upload_of_unknown_size_is_refused_after_reading_one_byte_past_the_limit():
    stream = EndlessStream()
    huge = UploadedFile(file=stream, name="huge.pdf", size=None)
    with pytest.raises(UploadRejected) as caught:
        upload_clean(huge, max_bytes=1024)
    assert str(caught.value) == "huge.pdf is larger than 1.0\xa0KB: upload a smaller file."
    assert stream.read_total == 1025


def test_huge_upload_of_known_size_is_refused_without_reading():
    stream = EndlessStream()
    huge = UploadedFile(file=stream, name="huge.pdf", size=10**12)
    with pytest.raises(UploadRejected):
        upload_clean(huge, max_bytes=1024)
    assert stream.read_total == 0


# --- Type ---------------------------------------------------------------------
NOT_ACCEPTED = "{name} is not a JPEG, PNG or PDF file: {reason}"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("shell.jpg", b"<?php system($_GET['c']); ?>\n", "its content is a PHP script."),
        ("report.jpg", SCRIPT, "its content is HTML."),
        ("page.pdf", b"\xef\xbb\xbf\n<!DOCTYPE html>\n<title>x</title>", "its content is HTML."),
        (
            "logo.png",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "SVG images are not accepted.",
        ),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG images are not accepted.",
        ),
        ("map.png", b'<?xml version="1.0"?><kml/>', "its content is an XML document."),
        ("anim.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "GIF images are not accepted."),
        ("photo.jpg", b"RIFF\x1a\x00\x00\x00WEBPVP8 ", "WebP images are not accepted."),
        (
            "IMG_0042.jpg",
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
            "HEIC photos are not accepted: export the photo as JPEG.",
        ),
        ("scan.pdf", b"II*\x00\x08\x00\x00\x00", "TIFF images are not accepted."),
        (
            "reply.pdf",
            b"PK\x03\x04\x14\x00\x00\x00[Content_Types].xml word/document.xml",
            "Office documents are not accepted: save it as PDF.",
        ),
        (
            "reply.pdf",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
            "Office documents are not accepted: save it as PDF.",
        ),
        (
            "evidence.pdf",
            b"PK\x03\x04\x14\x00\x00\x00evidence/photo1.jpg",
            "compressed archives (ZIP and the like) are not accepted.",
        ),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "its content is a program."),
        ("reply.pdf", b"Reply to the notice: we posted twice a day.", "its content is not an image or a PDF."),
        ("reply.pdf", b" %PDF-1.7 (a PDF must start at the first byte)", "its content is not an image or a PDF."),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else None,
)
def test_content_that_is_not_pdf_jpeg_or_png_is_refused_saying_what_it_is(name, data, reason):
    assert refusal(name, data) == NOT_ACCEPTED.format(name=name, reason=reason)


def test_type_comes_from_the_content_not_the_name():
    clean = upload_clean(upload("Reply to notice (final).PDF", image_bytes("PNG")))
    assert (clean.name, clean.content_type) == ("reply-to-notice-final.png", "image/png")


def test_a_name_with_nothing_safe_in_it_becomes_attachment():
    assert upload_clean(upload("उत्तर.pdf", clean_pdf())).name == "attachment.pdf"


def test_message_shows_the_file_name_without_its_folders():
    assert refusal("C:\\Users\\dpro\\Desktop\\shell.jpg", b"<?php ?>") == NOT_ACCEPTED.format(
        name="shell.jpg", reason="its content is a PHP script."
    )


# --- Images -------------------------------------------------------------------
def test_jpeg_loses_exif_and_comment_and_is_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # Make
    exif[0x010E] = "GPS 25.5941N 85.1376E"  # ImageDescription
    data = two_colour_jpeg(exif=exif.tobytes(), comment=b"taken at the collector's residence")

    clean = upload_clean(upload("photo.jpg", data))

    assert (clean.content_type, clean.name) == ("image/jpeg", "photo.jpg")
    assert b"Exif" not in clean.data
    assert b"SecretCam" not in clean.data
    assert b"collector" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == "JPEG"
        assert image.size == (20, 40)
        assert not image.getexif()
        assert "comment" not in image.info
        top, bottom = image.convert("RGB").getpixel((10, 5)), image.convert("RGB").getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60  # the red left half is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_clean_upload_describes_the_bytes_to_store():
    clean = upload_clean(upload("photo.jpg", two_colour_jpeg()))
    assert isinstance(clean, CleanUpload)
    assert clean.size == len(clean.data)
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()
    assert clean.as_content_file().read() == clean.data


def test_png_is_reencoded_without_its_text_chunks():
    data = bytearray(image_bytes("PNG", mode="RGBA", color=(0, 128, 0, 128)))
    iend = data.rindex(b"IEND") - 4
    data[iend:iend] = png_chunk(b"tEXt", b"Comment\x00" + SCRIPT)

    clean = upload_clean(upload("chart.png", bytes(data)))

    assert b"<script" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (40, 20))
        assert image.getpixel((0, 0)) == (0, 128, 0, 128)


def test_png_with_html_after_its_end_is_refused():
    """Refused rather than cleaned: nothing legitimate writes after IEND; it is a polyglot's mark."""
    data = image_bytes("PNG") + SCRIPT
    assert refusal("chart.png", data) == (
        "chart.png has extra data after the end of the image: open it in an image editor, "
        "save it again and upload the new file."
    )


def test_jpeg_with_html_after_its_end_is_accepted_and_the_html_dropped():
    """Phones append a motion photo's video after a JPEG's end: accepted, and the re-encoding drops it."""
    clean = upload_clean(upload("photo.jpg", two_colour_jpeg() + SCRIPT))
    assert b"<script" not in clean.data
    assert clean.data.endswith(b"\xff\xd9")


@pytest.mark.parametrize(
    ("mode", "color", "fmt", "expected_mode"),
    [
        ("CMYK", (0, 255, 255, 0), "JPEG", "RGB"),
        ("L", 128, "JPEG", "L"),
        ("P", 3, "PNG", "RGB"),
        ("LA", (10, 20), "PNG", "LA"),
        ("1", 1, "PNG", "1"),
    ],
)
def test_image_modes_are_kept_or_converted_to_what_the_format_and_browsers_take(mode, color, fmt, expected_mode):
    clean = upload_clean(upload("scan", image_bytes(fmt, mode=mode, color=color)))
    with Image.open(io.BytesIO(clean.data)) as image:
        assert (image.format, image.mode) == (fmt, expected_mode)


def test_palette_png_with_transparency_keeps_it():
    out = io.BytesIO()
    Image.new("P", (4, 4), 0).save(out, format="PNG", transparency=0)
    clean = upload_clean(upload("icon.png", out.getvalue()))
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0


def test_colour_profile_is_applied_then_dropped():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    clean = upload_clean(upload("photo.jpg", two_colour_jpeg(icc_profile=icc)))
    with Image.open(io.BytesIO(clean.data)) as image:
        assert "icc_profile" not in image.info
        assert image.getpixel((5, 5))[0] > 200


def test_truncated_jpeg_is_refused():
    data = noisy_jpeg()
    assert refusal("photo.jpg", data[: len(data) // 2]) == (
        "photo.jpg is damaged or incomplete: it could not be read as a JPEG image."
    )


def test_truncated_png_is_refused():
    data = image_bytes("PNG", size=(64, 64))
    assert refusal("chart.png", data[:60]) == "chart.png is damaged or incomplete: it could not be read as a PNG image."


def test_png_with_a_bad_checksum_is_refused():
    data = bytearray(image_bytes("PNG"))
    data[data.index(b"IDAT") + 6] ^= 0xFF
    assert refusal("chart.png", bytes(data)) == (
        "chart.png is damaged or incomplete: it could not be read as a PNG image."
    )


TOO_LARGE = "{name} is too large an image: at most 40 megapixels are accepted."


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (8_000, 6_000),  # over the project's 40 megapixels, under Pillow's own guard
        (10_000, 10_000),  # over Pillow's warning threshold
        (30_000, 30_000),  # over Pillow's error threshold
    ],
)
def test_pixel_bomb_png_is_refused_before_it_is_decoded(width, height):
    data = png_bomb(width, height)
    assert len(data) < 200_000
    started = time.monotonic()
    assert refusal("bomb.png", data) == TOO_LARGE.format(name="bomb.png")
    assert time.monotonic() - started < 1


def test_pixel_bomb_jpeg_is_refused():
    assert refusal("bomb.jpg", jpeg_claiming(65_000, 65_000)) == TOO_LARGE.format(name="bomb.jpg")


def test_pixel_limit_is_the_setting(settings):
    settings.NOTICE_UPLOAD_MAX_PIXELS = 2_000_000
    assert refusal("scan.png", png_bomb(2_000, 1_500)) == (
        "scan.png is too large an image: at most 2 megapixels are accepted."
    )


# --- PDF ----------------------------------------------------------------------
def test_clean_pdf_is_kept_byte_for_byte():
    data = clean_pdf(pages=3)
    clean = upload_clean(upload("Reply.pdf", data))
    assert (clean.data, clean.name, clean.content_type) == (data, "reply.pdf", "application/pdf")


def test_pdf_opening_on_a_page_is_accepted():
    """Word's PDFs open on page 1 with an /OpenAction destination: that is not an action."""
    data = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /XYZ null null 0] >>", PAGES, PAGE)
    assert upload_clean(upload("reply.pdf", data)).data == data


ACTIVE = "{name} was refused because the PDF contains {what}. Print it to a new PDF and upload that."


def test_pdf_with_javascript_open_action_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    assert refusal("reply.pdf", pypdf_bytes(writer)) == ACTIVE.format(name="reply.pdf", what="JavaScript")


def test_pdf_with_hex_escaped_javascript_name_is_refused():
    data = raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        PAGES,
        PAGE,
        b"<< /S /J#61v#61Script /J#53 (app.alert(1)) >>",
    )
    assert refusal("reply.pdf", data) == ACTIVE.format(name="reply.pdf", what="JavaScript")


def test_pdf_with_javascript_in_an_unreferenced_object_is_refused_by_the_byte_scan():
    data = raw_pdf(CATALOG, PAGES, PAGE, b"<< /S /#4a#61vaScript /#4a#53 (app.alert(1)) >>")
    assert refusal("reply.pdf", data) == ACTIVE.format(name="reply.pdf", what="JavaScript")


def test_pdf_with_javascript_in_a_compressed_object_stream_is_refused_by_the_parsed_walk():
    data = pdf_with_compressed_action(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    assert b"JavaScript" not in data
    assert refusal("reply.pdf", data) == ACTIVE.format(name="reply.pdf", what="JavaScript")


def test_pdf_opening_a_website_is_refused_as_an_automatic_action():
    data = pdf_with_compressed_action(b"<< /S /URI /URI (https://example.invalid/track) >>")
    assert refusal("reply.pdf", data) == ACTIVE.format(name="reply.pdf", what="automatic actions")


@pytest.mark.parametrize(
    ("extra", "what"),
    [
        (b"<< /S /Launch /F (cmd.exe) >>", "a command to launch a program"),
        (b"<< /Type /EmbeddedFile /Length 0 >>", "embedded files"),
        (b"<< /Subtype /RichMedia >>", "multimedia content"),
        (b"<< /XFA 5 0 R >>", "an XFA form"),
        (b"<< /S /SubmitForm /F (https://example.invalid) >>", "a form that submits or imports data"),
        (b"<< /AA << /O 6 0 R >> >>", "automatic actions"),
    ],
)
def test_pdf_with_active_content_is_refused(extra, what):
    assert refusal("reply.pdf", raw_pdf(CATALOG, PAGES, PAGE, extra)) == ACTIVE.format(name="reply.pdf", what=what)


def test_pdf_with_an_attached_file_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("payload.exe", b"MZ")
    assert refusal("reply.pdf", pypdf_bytes(writer)) == ACTIVE.format(name="reply.pdf", what="embedded files")


def test_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="", owner_password="owner")
    assert refusal("reply.pdf", pypdf_bytes(writer)) == (
        "reply.pdf is encrypted or password-protected: save an unprotected copy and upload that."
    )


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n<html><script>alert(1)</script></html>",
        raw_pdf(b"<< /Type /Catalog >>"),
        raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"),
    ],
    ids=["html-after-pdf-header", "no-pages-tree", "no-pages"],
)
def test_pdf_that_does_not_parse_or_has_no_pages_is_refused(data):
    assert refusal("reply.pdf", data) == "reply.pdf is damaged: it could not be read as a PDF."


def test_pdf_with_too_many_pages_is_refused():
    writer = PdfWriter()
    page = writer.add_blank_page(72, 72)
    # One page object listed many times: the page count, cheaply.
    writer.root_object["/Pages"][NameObject("/Kids")] = ArrayObject([page.indirect_reference] * (MAX_PDF_PAGES + 1))
    writer.root_object["/Pages"][NameObject("/Count")] = NumberObject(MAX_PDF_PAGES + 1)
    assert refusal("reply.pdf", pypdf_bytes(writer)) == (
        f"reply.pdf has {MAX_PDF_PAGES + 1} pages: at most {MAX_PDF_PAGES} are accepted."
    )


# --- The exception ------------------------------------------------------------
def test_rejection_becomes_a_form_error_and_survives_pickling():
    with pytest.raises(UploadRejected) as caught:
        upload_clean(upload("reply.pdf", b""))
    error = caught.value.as_validation_error()
    assert (error.code, error.messages) == ("empty", ["reply.pdf is empty."])
    assert str(pickle.loads(pickle.dumps(caught.value))) == "reply.pdf is empty."  # noqa: S301 - our own bytes
