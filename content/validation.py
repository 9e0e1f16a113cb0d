"""What X and Facebook accept in a post, checked before a submission goes to review.

- :func:`x_weighted_length` counts a text the way X does (twitter-text 3, the rules X's own
  composer and API use): the text is NFC-normalised, every URL counts 23 whatever its length,
  every emoji (a whole ZWJ sequence, a flag, a keycap, a skin tone included) counts 2, code points
  up to U+10FF (Latin, Devanagari and the other Indian scripts) and a few punctuation marks count
  1, everything else (CJK, most symbols) counts 2.
- :func:`validate_for_account` checks a post's text and images against one account's platform
  and returns messages that name the account and say why.
- :func:`images_clean` runs the notice uploads' safety layer on a post's images: JPEG and PNG
  only, told apart by content, re-encoded without metadata.

No database: these are plain functions a form or a service calls.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

import emoji
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.choices import Platform
from notices.uploads import JPEG, PNG, CleanUpload, UploadRejected, upload_clean

# --- X's weighted length (twitter-text 3 parsing configuration) ----------------------------------
X_MAX_WEIGHTED_LENGTH = 280
X_TRANSFORMED_URL_LENGTH = 23
_SCALE = 100
_DEFAULT_WEIGHT = 200
_EMOJI_WEIGHT = _DEFAULT_WEIGHT
# (first code point, last code point, weight): everything else weighs _DEFAULT_WEIGHT.
_WEIGHT_RANGES = (
    (0x0000, 0x10FF, 100),  # Latin, Greek, Cyrillic, Arabic, Devanagari and the other Indic scripts…
    (0x2000, 0x200D, 100),  # spaces, zero-width joiners
    (0x2010, 0x201F, 100),  # dashes, quotation marks
    (0x2032, 0x2037, 100),  # primes
)
# Characters that make X refuse a post: byte-order marks, non-characters, bidirectional embeddings.
_X_INVALID_CHARS = re.compile("[\ufffe\ufeff\uffff\u202a-\u202e]")
_MAX_URL_LENGTH = 4096  # twitter-text ignores longer URLs (counting "https://" when there is no scheme)
_MAX_TCO_SLUG_LENGTH = 40

# URL extraction as twitter-text does it: a scheme URL, or a bare domain that ends in a known
# top-level domain ("patna.nic.in", "www.example.com/x"). A bare two-label domain on a country TLD
# ("patna.in") is a link only with a path ("patna.in/x"), except on .co and .tv.
# Generic TLDs: the ones posts from government offices are likely to link to, not IANA's whole list.
_GTLDS = """
    academy agency app art asia bank bio biz blog cloud club com community company coop courses
    design dev digital edu education email events farm finance foundation fund gallery gov guru
    health help info ink int jobs life link live media mil mobi museum name net network news ngo
    one online org page photo photos post pro school science shop site social solutions space store
    studio support systems team tech technology tel today tools top travel video watch website wiki
    work works world xyz
"""
# Country-code TLDs (ISO 3166 two-letter codes in the root zone) and India's own scripts' TLDs.
_CCTLDS = """
    ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq br bs bt
    bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es
    et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu
    id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt
    lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no
    np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si
    sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us
    uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
    भारत भारतम् भारोत ভারত ভাৰত ਭਾਰਤ ભારત ଭାରତ இந்தியா భారత్ ಭಾರತ ഭാരതം بھارت ڀارت
"""
_SPECIAL_CCTLDS = "co tv"


def _alternatives(words: str | list[str]) -> str:
    """A pattern matching any of ``words``, as a trie ("c(?:o(?:m|op)?|…)"): fast to fail."""
    if isinstance(words, str):
        words = words.split()
    by_first: dict[str, list[str]] = {}
    for word in set(words):
        by_first.setdefault(word[:1], []).append(word[1:])
    branches = []
    for first, rests in sorted(by_first.items()):
        longer = [rest for rest in rests if rest]
        tail = f"(?:{_alternatives(longer)})" if longer else ""
        if longer and "" in rests:
            tail += "?"  # "co" as well as "com": what follows the TLD decides, by backtracking
        branches.append(re.escape(first) + tail)
    return "|".join(branches)


_TLD_END = r"(?=[^0-9a-zA-Z@+\-]|$)"
_GTLD = rf"(?:(?:{_alternatives(_GTLDS)}){_TLD_END})"
_CCTLD = rf"(?:(?:{_alternatives(_CCTLDS)}){_TLD_END})"
_SPECIAL_CCTLD = rf"(?:(?:{_alternatives(_SPECIAL_CCTLDS)})(?=[^0-9a-zA-Z@]|$))"
_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"

_INVALID = "\ufffe\ufeff\uffff\u202a-\u202e"
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268"
    "\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"

_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}]"
# A label starts and ends with a domain character. twitter-text bounds neither a label's length nor
# the number of labels; here a label has at most 63 characters (as in DNS) and a domain at most 12
# labels, so that a long run of letters or of "a.a.a." with no top-level domain after it fails fast.
_SUBDOMAIN = rf"(?:{_DOMAIN_CHAR}(?:[_\-]*{_DOMAIN_CHAR}){{0,62}}+\.)"
_DOMAIN_NAME = rf"(?:{_DOMAIN_CHAR}(?:-*{_DOMAIN_CHAR}){{0,62}}+\.)"
_DOMAIN = rf"(?:{_SUBDOMAIN}{{0,10}}{_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}|{_PUNYCODE}))"

_PATH_CHAR = rf"[a-z{_CYRILLIC}0-9!*';:=+.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_BALANCED_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH_END = rf"(?:[+\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{_BALANCED_PARENS})"
_PATH = rf"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"

# twitter-text tries a URL after any character but an ASCII letter or digit, "@", "$" or "#". This
# pattern tries one where a run of domain characters starts (after punctuation, a space, or at the
# start), and where "http://" or "https://" starts: that finds the same URLs, as a URL found inside
# a run of letters would have been found from the run's start, and never tries a URL at each of a
# long run's letters. (Unlike twitter-text it does not look inside a run that follows "@", "$" or
# "#": "#बिहारpatna.gov.in" is counted as characters.)
_URL = re.compile(
    rf"(?:(?P<before>[{_PUNCT.replace('@', '').replace('#', '').replace('$', '')}])"
    rf"|^|(?P<glued>[^A-Za-z0-9@＠$#＃{_INVALID}])(?=https?://))"
    r"(?P<url>"
    r"(?P<protocol>https?://)?"
    rf"(?P<domain>{_DOMAIN})"
    r"(?::[0-9]+)?"
    rf"(?P<path>/{_PATH}*)?"
    rf"(?:\?{_QUERY_CHAR}*{_QUERY_END})?"
    r")",
    re.IGNORECASE,
)
_ASCII_DOMAIN = re.compile(rf"(?:[\-a-z0-9{_LATIN_ACCENTS}]+\.)+(?:{_GTLD}|{_CCTLD}|{_PUNYCODE})", re.IGNORECASE)
_INVALID_SHORT_DOMAIN = re.compile(rf"^{_DOMAIN_NAME}{_CCTLD}$", re.IGNORECASE)
_SPECIAL_SHORT_DOMAIN = re.compile(rf"^{_DOMAIN_NAME}{_SPECIAL_CCTLD}$", re.IGNORECASE)
_TCO_URL = re.compile(r"^https?://t\.co/([a-z0-9]+)", re.IGNORECASE)
_BAD_BEFORE_BARE_DOMAIN = ("-", "_", ".", "/")
_WORD = re.compile(f"[^{_SPACES}]+")

# Emoji that twemoji, X's emoji parser, counts only when followed by VARIATION SELECTOR-16: on their
# own they are text characters (and © and ® weigh 1, not 2).
_TEXT_DEFAULT_EMOJI = frozenset("\u00a9\u00ae\u2122\u265f")


def x_weighted_length(text: str) -> int:
    """The length of ``text`` as X counts it against its limit of 280."""
    text = unicodedata.normalize("NFC", text)
    # start -> (end, weight) of each URL and emoji; where both start at one place, the URL wins.
    entities = {start: (end, X_TRANSFORMED_URL_LENGTH * _SCALE) for start, end in _url_spans(text)}
    for start, end in _emoji_spans(text):
        entities.setdefault(start, (end, _EMOJI_WEIGHT))
    weighted = 0
    index = 0
    while index < len(text):
        if index in entities:
            index, weight = entities[index]
        else:
            weight = _weight(ord(text[index]))
            index += 1
        weighted += weight
    return weighted // _SCALE


def x_invalid_characters(text: str) -> list[str]:
    """The characters in ``text`` that make X refuse it, each once, in order of appearance."""
    return list(dict.fromkeys(_X_INVALID_CHARS.findall(unicodedata.normalize("NFC", text))))


def _weight(code_point: int) -> int:
    for first, last, weight in _WEIGHT_RANGES:
        if first <= code_point <= last:
            return weight
    return _DEFAULT_WEIGHT


def _emoji_spans(text: str):
    for match in emoji.emoji_list(text):
        if match["emoji"] not in _TEXT_DEFAULT_EMOJI:
            yield match["match_start"], match["match_end"]


def _url_spans(text: str):
    """(start, end) of each URL that twitter-text finds in ``text`` (already NFC-normalised).

    A URL never contains a space, so the text is searched one space-separated word at a time:
    the regular expression then never backtracks over more than one word.
    """
    if "." not in text:
        return
    for word in _WORD.finditer(text):
        if "." in word[0]:
            for start, end in _word_url_spans(word[0]):
                yield word.start() + start, word.start() + end


def _word_url_spans(word: str):
    for match in _URL.finditer(word):
        url, protocol, domain, path = match["url"], match["protocol"], match["domain"], match["path"]
        start, end = match.span("url")
        if len(protocol or "https://") + len(url) - len(domain) + len(_to_ascii(domain)) > _MAX_URL_LENGTH:
            continue
        if protocol:
            tco = _TCO_URL.match(url)
            if tco:
                if len(tco[1]) > _MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + tco.end()  # nothing after a t.co slug belongs to the link
            yield start, end
            continue
        # No scheme: only the ASCII domains in it are links, and none after "-", "_", "." or "/".
        if match["before"] in _BAD_BEFORE_BARE_DOMAIN:
            continue
        offset = match.start("domain")
        found = list(_ASCII_DOMAIN.finditer(domain))
        for number, ascii_domain in enumerate(found, start=1):
            if path:  # every domain is a link, and the last one runs on to the end of the path
                yield offset + ascii_domain.start(), (end if number == len(found) else offset + ascii_domain.end())
            elif _SPECIAL_SHORT_DOMAIN.match(ascii_domain[0]) or not _INVALID_SHORT_DOMAIN.match(ascii_domain[0]):
                yield offset + ascii_domain.start(), offset + ascii_domain.end()


def _to_ascii(domain: str) -> str:
    """The domain as it goes over the wire (each non-ASCII label as "xn--" and its Punycode)."""
    return ".".join(
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii") for label in domain.split(".")
    )


# --- Per-platform rules -------------------------------------------------------------------------
MAX_IMAGES = 4  # the submission form takes four images; X takes four photos to a post
MB = 1024 * 1024
GIF = "image/gif"
WEBP = "image/webp"
# X's media upload: photos (JPEG, PNG, WebP) up to 5 MB, an animated GIF up to 15 MB, on its own.
X_IMAGE_MAX_BYTES = {JPEG: 5 * MB, PNG: 5 * MB, WEBP: 5 * MB, GIF: 15 * MB}
# Facebook's page posts take far longer texts; 63,206 characters is the limit its composer enforces.
FACEBOOK_MAX_TEXT_LENGTH = 63_206
# Facebook's recommended limit for photos is 4 MB, JPEG or PNG; it takes somewhat larger ones, but
# compresses them, and refuses some: the recommendation is the limit that always works.
FACEBOOK_IMAGE_MAX_BYTES = {JPEG: 4 * MB, PNG: 4 * MB}
# What images_clean reads of an upload at most: the images are re-encoded, often smaller, and the
# platforms' own limits are checked on the result, with messages that name the account.
IMAGE_UPLOAD_MAX_BYTES = 15 * MB

_KIND = {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", GIF: "GIF"}

# Translators: each message starts with the account, such as "X @DMPatna" or "Facebook DM Patna".
_EMPTY = _("%(account)s: write some text or attach an image; %(platform)s does not take an empty post.")
_X_TOO_LONG = _(
    "%(account)s: the text is %(length)s characters as X counts them (links count 23, emoji and "
    "Chinese or Japanese characters 2); the limit is %(limit)s."
)
# Translators: %(characters)s is a list of code points such as "U+202E".
_X_INVALID = _(
    "%(account)s: the text contains invisible characters that X refuses (%(characters)s), often "
    "pasted along with text from another app; delete and retype the text around them."
)
_FACEBOOK_TOO_LONG = _("%(account)s: the text is %(length)s characters; the limit is %(limit)s.")
_TOO_MANY_IMAGES = _("%(account)s: %(count)s images are attached; %(platform)s takes at most %(limit)s to a post.")
_NOT_AN_IMAGE = _("%(account)s: %(name)s is not an image; only photos can be attached to a post.")
_IMAGE_KIND = _("%(account)s: %(name)s is a %(kind)s image; %(platform)s takes %(kinds)s.")
_IMAGE_TOO_BIG = _("%(account)s: %(name)s is %(size)s; %(platform)s takes %(kind)s images up to %(limit)s.")
_X_GIF_NOT_ALONE = _("%(account)s: %(name)s is a GIF; X takes a GIF only on its own, not with other images.")
_NO_POSTS = _("%(account)s: posts to %(platform)s cannot be made from here.")
# Translators: images_clean, for a file that is not an image at all (a PDF, say).
_UPLOAD_NOT_AN_IMAGE = _("%(name)s is not an image: attach JPEG or PNG photos to a post.")
# Translators: %(reason)s is a reason such as "GIF images are not accepted.".
_UPLOAD_NOT_ACCEPTED = _("%(name)s is not an image that can be posted: %(reason)s Attach JPEG or PNG photos.")


def validate_for_account(*, platform: str, account_label: str, text: str, images: list) -> list[str]:
    """The reasons ``platform`` would refuse this post, each naming the account; empty if none.

    ``account_label`` names the account in the messages (``str(account)``: "X @DMPatna").
    ``images`` are objects with ``name``, ``content_type`` and ``size`` (a
    :class:`notices.uploads.CleanUpload` from :func:`images_clean`, say), in the order attached.
    """
    images = list(images)
    params = {"account": account_label, "platform": Platform(platform).label if platform in Platform.values else ""}
    if platform == Platform.X:
        errors = _x_text_errors(text, images, params)
        errors += _image_errors(images, X_IMAGE_MAX_BYTES, params)
        gifs = [image for image in images if image.content_type == GIF]
        if gifs and len(images) > 1:
            errors.append(_X_GIF_NOT_ALONE % {**params, "name": gifs[0].name})
        return errors
    if platform == Platform.FACEBOOK:
        errors = []
        if not text.strip() and not images:
            errors.append(_EMPTY % params)
        length = len(unicodedata.normalize("NFC", text))
        if length > FACEBOOK_MAX_TEXT_LENGTH:
            errors.append(
                _FACEBOOK_TOO_LONG % {**params, "length": _number(length), "limit": _number(FACEBOOK_MAX_TEXT_LENGTH)}
            )
        return errors + _image_errors(images, FACEBOOK_IMAGE_MAX_BYTES, params)
    return [_NO_POSTS % {**params, "platform": params["platform"] or platform}]


def _x_text_errors(text: str, images: list, params: dict) -> list[str]:
    if not text.strip() and not images:
        return [_EMPTY % params]
    errors = []
    length = x_weighted_length(text)
    if length > X_MAX_WEIGHTED_LENGTH:
        errors.append(_X_TOO_LONG % {**params, "length": _number(length), "limit": X_MAX_WEIGHTED_LENGTH})
    invalid = x_invalid_characters(text)
    if invalid:
        errors.append(_X_INVALID % {**params, "characters": ", ".join(f"U+{ord(char):04X}" for char in invalid)})
    return errors


def _image_errors(images: list, max_bytes: dict[str, int], params: dict) -> list[str]:
    errors = []
    if len(images) > MAX_IMAGES:
        errors.append(_TOO_MANY_IMAGES % {**params, "count": len(images), "limit": MAX_IMAGES})
    kinds = _list_of(_KIND[content_type] for content_type in max_bytes)
    for image in images:
        content_type = (image.content_type or "").lower()
        image_params = {**params, "name": image.name}
        if not content_type.startswith("image/"):
            errors.append(_NOT_AN_IMAGE % image_params)
        elif content_type not in max_bytes:
            kind = _KIND.get(content_type, content_type.removeprefix("image/").upper())
            errors.append(_IMAGE_KIND % {**image_params, "kind": kind, "kinds": kinds})
        elif image.size > max_bytes[content_type]:
            errors.append(
                _IMAGE_TOO_BIG
                % {
                    **image_params,
                    "size": filesizeformat(image.size),
                    "kind": _KIND[content_type],
                    "limit": filesizeformat(max_bytes[content_type]),
                }
            )
    return errors


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _list_of(words) -> str:
    words = list(words)
    if len(words) == 1:
        return words[0]
    # Translators: the end of a list, as in "JPEG, PNG, WebP and GIF".
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


# --- Images -------------------------------------------------------------------------------------
def images_clean(files) -> list[CleanUpload]:
    """Run each uploaded file through the uploads' safety layer; raise ValidationError if any is refused.

    Returns the cleaned images (JPEG or PNG, re-encoded, without metadata) in order. The error lists
    one message per refused file, each starting with the file's name: anything but a JPEG or PNG
    (a PDF included, which the notices' layer would accept) is refused as not an image.
    """
    cleaned, errors = [], []
    for file in files:
        name = PurePath((getattr(file, "name", None) or "").replace("\\", "/")).name or "file"
        try:
            upload = upload_clean(file, max_bytes=IMAGE_UPLOAD_MAX_BYTES)
        except UploadRejected as exc:
            if exc.code == "type":
                errors.append(
                    ValidationError(
                        _UPLOAD_NOT_ACCEPTED, code="not_image", params={"name": name, "reason": exc.params["reason"]}
                    )
                )
            else:
                errors.append(exc.as_validation_error())
            continue
        if upload.content_type not in (JPEG, PNG):
            errors.append(ValidationError(_UPLOAD_NOT_AN_IMAGE, code="not_image", params={"name": name}))
            continue
        cleaned.append(upload)
    if errors:
        raise ValidationError(errors)
    return cleaned
