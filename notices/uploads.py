"""The safety layer for attachments to replies to show-cause notices.

``upload_clean`` takes an uploaded file and returns a :class:`CleanUpload` safe to store
and serve back, or raises :class:`UploadRejected` with a message for the person who sent it.

- Only PDF, JPEG and PNG are accepted, told apart by their first bytes: the file's name and
  the browser's content type are never trusted.
- Images are decoded and re-encoded: EXIF (GPS positions included), comments and text chunks
  are gone, the orientation is applied to the pixels, and nothing can ride along after the
  image. Images with more than ``NOTICE_UPLOAD_MAX_PIXELS`` pixels are refused before they
  are decoded.
- A PNG with data after its end (IEND) is refused: no camera or editor writes one, it is the
  mark of an image made to be read as something else too. A JPEG with data after its end is
  accepted and the data dropped by the re-encoding: phones append their "motion photo" video
  and MPO cameras a second frame there.
- PDFs are kept byte for byte, but refused when encrypted, when they do not parse, or when they
  carry JavaScript, automatic or launch actions, embedded files, multimedia or XFA forms:
  found both by walking the parsed document and by scanning the raw bytes (with ``#xx``
  escapes in names decoded), so that neither a compressed object stream nor a parser quirk
  hides them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
_EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG"}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PDF_MAGIC = b"%PDF-"

MAX_PDF_PAGES = 200
# Objects visited in a PDF's object graph before giving up: a 5 MB report has a few thousand.
MAX_PDF_OBJECTS = 200_000
_NAME_MAX_CHARS = 80  # of the slugified stem in CleanUpload.name
_SHOWN_NAME_MAX_CHARS = 100  # of the file's name in messages


class UploadRejected(ValueError):
    """An upload refused, with a message for the person who sent it.

    The message is translated when it is read, in the language active then; a form turns the
    exception into a field error with :meth:`as_validation_error`.
    """

    def __init__(self, template, params: dict, code: str):
        super().__init__(template, params, code)
        self.template = template
        self.params = params
        self.code = code

    @property
    def message(self) -> str:
        return str(self.template) % self.params

    def __str__(self) -> str:
        return self.message

    def as_validation_error(self) -> ValidationError:
        return ValidationError(self.template, code=self.code, params=self.params)


@dataclass(frozen=True)
class CleanUpload:
    """An accepted upload: the bytes to store (re-encoded for images) and what they are."""

    name: str  # the original stem slugified, with the extension of the detected type
    content_type: str
    data: bytes
    size: int
    sha256: str

    def as_content_file(self) -> ContentFile:
        """For ``FileField.save(upload.name, upload.as_content_file())``."""
        return ContentFile(self.data, name=self.name)


# --- Messages ---------------------------------------------------------------
# Translators: each message starts with the name of the file the user uploaded.
_EMPTY = _("%(name)s is empty.")
_TOO_BIG = _("%(name)s is larger than %(limit)s: upload a smaller file.")
# Translators: %(reason)s is one of the reasons below ("its content is HTML.", …).
_NOT_ACCEPTED = _("%(name)s is not a JPEG, PNG or PDF file: %(reason)s")
_IMAGE_TOO_BIG = _("%(name)s is too large an image: at most %(megapixels)s megapixels are accepted.")
_IMAGE_DAMAGED = _("%(name)s is damaged or incomplete: it could not be read as a %(kind)s image.")
_IMAGE_TRAILING = _(
    "%(name)s has extra data after the end of the image: open it in an image editor, "
    "save it again and upload the new file."
)
_PDF_DAMAGED = _("%(name)s is damaged: it could not be read as a PDF.")
_PDF_ENCRYPTED = _("%(name)s is encrypted or password-protected: save an unprotected copy and upload that.")
# Translators: %(what)s is one of "JavaScript", "automatic actions", … below.
_PDF_ACTIVE = _("%(name)s was refused because the PDF contains %(what)s. Print it to a new PDF and upload that.")
_PDF_TOO_COMPLEX = _("%(name)s is too complex to be checked. Print it to a new PDF and upload that.")
_PDF_PAGES = _("%(name)s has %(pages)s pages: at most %(limit)s are accepted.")

_REASON_UNKNOWN = _("its content is not an image or a PDF.")
_REASON_HTML = _("its content is HTML.")
_REASON_SVG = _("SVG images are not accepted.")
_REASON_PHP = _("its content is a PHP script.")
_REASON_XML = _("its content is an XML document.")
_REASON_GIF = _("GIF images are not accepted.")
_REASON_WEBP = _("WebP images are not accepted.")
_REASON_HEIC = _("HEIC photos are not accepted: export the photo as JPEG.")
_REASON_TIFF = _("TIFF images are not accepted.")
_REASON_BMP = _("BMP images are not accepted.")
_REASON_OFFICE = _("Office documents are not accepted: save it as PDF.")
_REASON_ARCHIVE = _("compressed archives (ZIP and the like) are not accepted.")
_REASON_PROGRAM = _("its content is a program.")

_WHAT_JAVASCRIPT = _("JavaScript")
_WHAT_AUTOMATIC = _("automatic actions")
_WHAT_LAUNCH = _("a command to launch a program")
_WHAT_FILES = _("embedded files")
_WHAT_MEDIA = _("multimedia content")
_WHAT_XFA = _("an XFA form")
_WHAT_FORM = _("a form that submits or imports data")

# PDF names (keys or values) that make a document active, most telling first.
_ACTIVE_PDF_NAMES = {
    "JavaScript": _WHAT_JAVASCRIPT,
    "JS": _WHAT_JAVASCRIPT,
    "Launch": _WHAT_LAUNCH,
    "EmbeddedFile": _WHAT_FILES,
    "EmbeddedFiles": _WHAT_FILES,
    "FileAttachment": _WHAT_FILES,
    "GoToE": _WHAT_FILES,
    "RichMedia": _WHAT_MEDIA,
    "XFA": _WHAT_XFA,
    "SubmitForm": _WHAT_FORM,
    "ImportData": _WHAT_FORM,
    "AA": _WHAT_AUTOMATIC,
}
_ACTIVE_ORDER = list(_ACTIVE_PDF_NAMES)


def upload_clean(uploaded_file, *, max_bytes: int | None = None) -> CleanUpload:
    """Check an uploaded PDF, JPEG or PNG and return what to store, or raise UploadRejected.

    ``max_bytes`` defaults to ``settings.NOTICE_UPLOAD_MAX_BYTES`` (read at call time).
    At most ``max_bytes + 1`` bytes are read, however large the upload.
    """
    if max_bytes is None:
        max_bytes = settings.NOTICE_UPLOAD_MAX_BYTES
    shown = _shown_name(getattr(uploaded_file, "name", None))
    data = _read_capped(uploaded_file, max_bytes, shown)

    content_type = _detect(data, shown)
    if content_type == PDF:
        _check_pdf(data, shown)
    else:
        data = _reencode_image(data, content_type, shown)

    stem = slugify(PurePath(shown).stem)[:_NAME_MAX_CHARS].strip("-_") or "attachment"
    return CleanUpload(
        name=f"{stem}.{_EXTENSIONS[content_type]}",
        content_type=content_type,
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _shown_name(name: str | None) -> str:
    base = PurePath((name or "").replace("\\", "/")).name.strip()
    return base[:_SHOWN_NAME_MAX_CHARS] or "file"


def _reject(template, name: str, code: str, **params) -> UploadRejected:
    return UploadRejected(template, {"name": name, **params}, code)


# --- Size and type ------------------------------------------------------------
def _read_capped(uploaded_file, max_bytes: int, shown: str) -> bytes:
    too_big = _reject(_TOO_BIG, shown, "too_large", limit=filesizeformat(max_bytes))
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > max_bytes:
        raise too_big
    with contextlib.suppress(AttributeError, OSError):  # a stream that cannot rewind is read from where it is
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_big
    if not data:
        raise _reject(_EMPTY, shown, "empty")
    return data


def _detect(data: bytes, shown: str) -> str:
    if data.startswith(_PDF_MAGIC):
        return PDF
    if data.startswith(_PNG_MAGIC):
        return PNG
    if data.startswith(_JPEG_MAGIC):
        return JPEG
    raise _reject(_NOT_ACCEPTED, shown, "type", reason=_what_else(data))


def _what_else(data: bytes):
    """Why a file that is none of PDF, PNG, JPEG was refused, as precisely as its first bytes tell."""
    head = data[:4096]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<?php" in head.lower() or text.startswith(b"<?="):
        return _REASON_PHP
    if text.startswith(b"<") and b"<svg" in text:
        return _REASON_SVG
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")):
        return _REASON_HTML
    if text.startswith(b"<") and (b"<html" in text or b"<script" in text):
        return _REASON_HTML
    if text.startswith(b"<?xml"):
        return _REASON_XML
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _REASON_GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _REASON_WEBP
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"mif1", b"msf1"):
        return _REASON_HEIC
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _REASON_TIFF
    if head.startswith(b"BM") and head[6:10] == b"\x00\x00\x00\x00":
        return _REASON_BMP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc, .xls, .ppt
        return _REASON_OFFICE
    if head.startswith(b"PK\x03\x04"):
        if b"[Content_Types].xml" in data or b"word/" in data or b"xl/" in data or b"ppt/" in data:
            return _REASON_OFFICE
        return _REASON_ARCHIVE
    if head.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return _REASON_ARCHIVE
    if head.startswith((b"\x7fELF", b"MZ", b"#!")):
        return _REASON_PROGRAM
    return _REASON_UNKNOWN


# --- Images -------------------------------------------------------------------
def _reencode_image(data: bytes, content_type: str, shown: str) -> bytes:
    kind = _PIL_FORMATS[content_type]
    damaged = _reject(_IMAGE_DAMAGED, shown, "image_damaged", kind=kind)
    max_pixels = settings.NOTICE_UPLOAD_MAX_PIXELS
    too_big = _reject(_IMAGE_TOO_BIG, shown, "image_too_large", megapixels=f"{max_pixels / 1_000_000:g}")

    if content_type == PNG:
        end = _png_end(data)
        if end is None:
            raise damaged
        if end < len(data):
            raise _reject(_IMAGE_TRAILING, shown, "image_trailing_data")

    with warnings.catch_warnings():
        # Pillow's own guard (Image.MAX_IMAGE_PIXELS) warns, then errs; both refuse here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[kind]) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise too_big  # before a single pixel is decoded
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                image.load()
                return _encode(image, kind)
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_big from None
        except (UnidentifiedImageError, SyntaxError, OSError, ValueError, EOFError) as exc:
            # Pillow reports damaged, truncated and malformed files through all of these.
            raise damaged from exc


def _png_end(data: bytes) -> int | None:
    """The offset just after the IEND chunk, or None if the chunks do not lead there."""
    pos = len(_PNG_MAGIC)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        pos += 12 + length
        if chunk_type == b"IEND":
            return pos if pos <= len(data) else None
    return None


def _encode(image: Image.Image, kind: str) -> bytes:
    """The pixels alone, upright, in sRGB, with no metadata, as a new file of the same format."""
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    if kind == "JPEG":
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
    elif image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode not in ("1", "L", "LA", "RGB", "RGBA", "I;16"):
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    image.info = {}  # EXIF, ICC, comments, text chunks: Pillow carries some of them over unless told not to
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, format="JPEG", quality=90, optimize=True)
    else:
        image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded colour profile (a phone's Display P3, say) so that dropping it keeps the colours."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image  # no profile, or a grey or palette image: not worth a conversion
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are


# --- PDF ----------------------------------------------------------------------
def _check_pdf(data: bytes, shown: str) -> None:
    found = _active_names_raw(data)
    if found:
        raise _pdf_active(shown, found)

    damaged = _reject(_PDF_DAMAGED, shown, "pdf_damaged")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _reject(_PDF_ENCRYPTED, shown, "pdf_encrypted")
        root = reader.trailer["/Root"].get_object()
        if not isinstance(root, DictionaryObject):
            raise damaged
        found = _active_names_parsed(reader, root, shown)
        if found:
            raise _pdf_active(shown, found)
        pages = len(reader.pages)
    except UploadRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds on malformed input; all mean "not a PDF we accept"
        raise damaged from exc
    if pages == 0:
        raise damaged
    if pages > MAX_PDF_PAGES:
        raise _reject(_PDF_PAGES, shown, "pdf_too_many_pages", pages=pages, limit=MAX_PDF_PAGES)


def _pdf_active(shown: str, found: set[str]) -> UploadRejected:
    first = min(found, key=_ACTIVE_ORDER.index)
    return _reject(_PDF_ACTIVE, shown, "pdf_active_content", what=_ACTIVE_PDF_NAMES[first])


_STREAM_START = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _active_names_raw(data: bytes) -> set[str]:
    """Active names in the PDF's bytes outside stream data, with ``#xx`` escapes decoded.

    Stream data (compressed page content, images, fonts) is skipped: random compressed bytes
    would spell ``/JS`` or ``/AA`` now and then. Objects inside compressed object streams are
    the parsed walk's part.
    """
    found = set()
    for match in _PDF_NAME.finditer(_outside_streams(data)):
        name = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        decoded = name.decode("latin-1")
        if decoded in _ACTIVE_PDF_NAMES:
            found.add(decoded)
    return found


def _outside_streams(data: bytes) -> bytes:
    parts = []
    pos = 0
    while True:
        start = _STREAM_START.search(data, pos)
        if start is None:
            parts.append(data[pos:])
            break
        parts.append(data[pos : start.start()])
        end = data.find(b"endstream", start.end())
        if end == -1:
            parts.append(data[start.start() :])  # unterminated: scan the rest rather than trust it
            break
        pos = end + len(b"endstream")
    return b"\n".join(parts)


def _active_names_parsed(reader: PdfReader, root: DictionaryObject, shown: str) -> set[str]:
    """Active names anywhere in the object graph reachable from the trailer, compressed objects included."""
    found = set()
    open_action = root.get("/OpenAction")
    if open_action is not None:
        open_action = open_action.get_object()
        # A destination (an array) is harmless; an action other than GoTo runs on opening.
        if isinstance(open_action, DictionaryObject) and open_action.get("/S") != "/GoTo":
            found.add("AA")

    seen_refs: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen_refs:
                continue
            seen_refs.add(ref)
            obj = obj.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise _reject(_PDF_TOO_COMPLEX, shown, "pdf_too_complex")
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                _note_name(key, found)
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
        elif isinstance(obj, NameObject):
            _note_name(obj, found)
    return found


def _note_name(name, found: set[str]) -> None:
    if isinstance(name, NameObject) and name[1:] in _ACTIVE_PDF_NAMES:
        found.add(name[1:])
