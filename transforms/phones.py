"""Phone numbers: E.164 form, extension and line type, via Google's phonenumbers.

Numbers without a country code are read as Chinese (region CN). People annotate phone cells
(`18592172390 微信同号`, `手机:139… 座机:021-…`, a masked copy `180****1359`) and put several
numbers in one: every readable number is collected, the first mobile is kept as the phone
(a person at the company, where a landline is often a switchboard shared by a group) and
the first other number as the alternative. Cells are read in three passes, cheapest first:
each piece between separators as a number; then phonenumbers' matcher over the whole text,
for annotations and numbers separated by spaces; then landlines in Chinese shape whose area
code phonenumbers does not list.
"""

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneNumberFormat, PhoneNumberType

from transforms.reference import fold_text

DEFAULT_REGION = "CN"
_MOBILE, _LANDLINE, _OTHER = "mobile", "landline", "other"
_TYPE_NAMES = {PhoneNumberType.MOBILE: _MOBILE, PhoneNumberType.FIXED_LINE: _LANDLINE}
# Between two numbers people type / , ; 、 | or words; inside one number they type spaces,
# dashes, dots and brackets, which phonenumbers ignores.
_NUMBER_SEPARATORS = re.compile(r"[/,;、|]|或|和|及")
# Extension markers as typed in China: 转 / 分机 / ext / x / #, always followed by digits.
_EXTENSION_MARK = re.compile(r"\s*(?:转|分机号?|ext(?:ension)?\.?|x|#)\s*(?=\d)", re.IGNORECASE)
# A spreadsheet that stored the number as a float: 13800138000.0
_FLOAT_ARTEFACT = re.compile(r"^(\+?\d+)\.0+$")
# A landline followed by an extension after one more separator: 0755-86013388-8001.
_TRAILING_EXTENSION = re.compile(r"^(.*\d)\s*-\s*(\d{1,6})$")
# phonenumbers rejects inputs past 250 characters; a phone field never needs more.
_MAX_CANDIDATE = 64
# Plain Chinese mobiles (+86 138-0013-8000) and landlines with trunk 0 (0755 8601 3388):
# the national number is read off directly, skipping parse(), the slowest step by far.
# Numbers starting 11x, 12x and 179 are excluded because parse() treats those digits as
# carrier prefixes. Only a valid result is taken; the rest goes through parse().
_PLAIN_NUMBER = re.compile(r"(?:\+86|0086|86)?(1(?!79)[3-9]\d{9})|(?:\+86|0086)?0([1-9]\d{8,10})")
_PLAIN_SEPARATORS = re.compile(r"[\s()-]+")
_PLAIN_EXTENSION = re.compile(r"[0-9]{1,7}")
_EXTENSION_LABEL = " ext. "
# Text the matcher may find more in: words or symbols beside the digits, or a gap between
# two digit groups. A cell of digits and number punctuation only was already parsed whole.
_WORTH_SEARCHING = re.compile(r"[^\d\s+().\-]|\d\s+\d")
# A Chinese landline as typed: trunk 0 (or country code), area code 10, 2x or 3 digits
# from 3-9, a local number of 7-8 digits not starting 0 or 1. Read even when phonenumbers
# does not list the area code: typed the same way twice it is the same number.
_LANDLINE_SHAPE = re.compile(r"(?:(?:\+86|0086)0?|0)(10|2\d|[3-9]\d{2})([2-9]\d{6,7})")


@dataclass(frozen=True, slots=True)
class PhoneParts:
    """A phone in E.164 form (+8613800138000), its extension and type, and a second number
    given in the same cell (E.164, without extension); all None if nothing is readable."""

    e164: str | None
    extension: str | None
    phone_type: str | None
    alt_e164: str | None = None


_INVALID = PhoneParts(None, None, None)


def normalise_phone(raw: str | None) -> PhoneParts:
    """Standard parts of the phone(s) in ``raw``; never raises.

    Types: mobile, landline, or other (400 / 800 service numbers, VoIP, foreign
    fixed-or-mobile numbers). Numbers phonenumbers judges invalid ('12345678901',
    bank short codes such as 95588) give all None, except landlines of Chinese shape.
    """
    if raw is None:
        return _INVALID
    text = _EXTENSION_MARK.sub(_EXTENSION_LABEL, fold_text(raw))
    candidates = [
        _FLOAT_ARTEFACT.sub(r"\1", piece.strip())
        for piece in _NUMBER_SEPARATORS.split(text)
        if len(piece) <= _MAX_CANDIDATE and any(char.isdigit() for char in piece)
    ]
    found = [parts for parts in map(_read, candidates) if parts is not _INVALID]
    if not found and _WORTH_SEARCHING.search(text):
        found = _matched(text)
    if not found:
        found = [parts for parts in map(_landline_shaped, candidates) if parts is not _INVALID]
    return _chosen(found)


def phone_text(parts: PhoneParts) -> str | None:
    """The kept number written back as one string (+8675586013388 ext. 8001)."""
    if parts.e164 is None:
        return None
    return f"{parts.e164}{_EXTENSION_LABEL}{parts.extension}" if parts.extension else parts.e164


def _chosen(found: list[PhoneParts]) -> PhoneParts:
    """The first mobile (else the first number), with the first other number as alternative."""
    if len(found) < 2:
        return found[0] if found else _INVALID
    kept = next((parts for parts in found if parts.phone_type == _MOBILE), found[0])
    alt = next((parts.e164 for parts in found if parts.e164 != kept.e164), None)
    return PhoneParts(kept.e164, kept.extension, kept.phone_type, alt)


def _read(candidate: str) -> PhoneParts:
    """One piece of a cell read as one number: the fast path, then parse()."""
    parts = _plain(candidate)
    if parts is _INVALID:
        parts = _parse(candidate)
    if parts is _INVALID and (match := _TRAILING_EXTENSION.match(candidate)):
        parts = _parse(f"{match.group(1)}{_EXTENSION_LABEL}{match.group(2)}")
        parts = parts if parts.phone_type == _LANDLINE else _INVALID
    return parts


def _matched(text: str) -> list[PhoneParts]:
    """Valid numbers phonenumbers' matcher finds in free text, in order."""
    if len(text) > _MAX_CANDIDATE * 4:
        return []
    matcher = phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION, leniency=Leniency.VALID)
    return [parts for match in matcher if (parts := _parts(match.number)) is not _INVALID]


def _landline_shaped(candidate: str) -> PhoneParts:
    """A landline of Chinese shape (0729-70257977-2698) whose area code may be unlisted."""
    if match := _TRAILING_EXTENSION.match(candidate):
        candidate = f"{match.group(1)}{_EXTENSION_LABEL}{match.group(2)}"
    number, _, extension = candidate.partition(_EXTENSION_LABEL)
    shape = _LANDLINE_SHAPE.fullmatch(_PLAIN_SEPARATORS.sub("", number))
    if shape is None or (extension and not _PLAIN_EXTENSION.fullmatch(extension)):
        return _INVALID
    return PhoneParts(f"+86{shape.group(1)}{shape.group(2)}", extension or None, _LANDLINE)


def _plain(candidate: str) -> PhoneParts:
    number, _, extension = candidate.partition(_EXTENSION_LABEL)
    match = _PLAIN_NUMBER.fullmatch(_PLAIN_SEPARATORS.sub("", number))
    if match is None or (extension and not _PLAIN_EXTENSION.fullmatch(extension)):
        return _INVALID
    national = int(match.group(1) or match.group(2))
    return _parts(
        phonenumbers.PhoneNumber(
            country_code=86, national_number=national, extension=extension or None
        )
    )


def _parse(candidate: str) -> PhoneParts:
    try:
        number = phonenumbers.parse(candidate, DEFAULT_REGION)
    except NumberParseException:
        return _INVALID
    return _parts(number)


def _parts(number: phonenumbers.PhoneNumber) -> PhoneParts:
    # number_type() is UNKNOWN exactly when is_valid_number() is False (both test the
    # national number against the region's patterns), so one call decides both.
    number_type = phonenumbers.number_type(number)
    if number_type == PhoneNumberType.UNKNOWN:
        return _INVALID
    return PhoneParts(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        extension=number.extension or None,
        phone_type=_TYPE_NAMES.get(number_type, _OTHER),
    )
