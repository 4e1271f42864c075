"""Phone numbers: E.164 form, extension and line type, via Google's phonenumbers.

Numbers without a country code are read as Chinese (region CN). Input may hold several
numbers (13800138000/0755-12345678): the first valid one is kept.
"""

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

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


@dataclass(frozen=True, slots=True)
class PhoneParts:
    """A phone in E.164 form (+8613800138000), its extension and type; all None if invalid."""

    e164: str | None
    extension: str | None
    phone_type: str | None


_INVALID = PhoneParts(None, None, None)


def normalise_phone(raw: str | None) -> PhoneParts:
    """Standard parts of the first valid phone number in ``raw``; never raises.

    Types: mobile, landline, or other (400 / 800 service numbers, VoIP, foreign
    fixed-or-mobile numbers). Numbers phonenumbers judges invalid ('12345678901',
    bank short codes such as 95588) give all None.
    """
    if raw is None:
        return _INVALID
    text = fold_text(raw)
    for candidate in _NUMBER_SEPARATORS.split(text):
        candidate = candidate.strip()
        if not any(char.isdigit() for char in candidate) or len(candidate) > _MAX_CANDIDATE:
            continue
        candidate = _FLOAT_ARTEFACT.sub(r"\1", _EXTENSION_MARK.sub(_EXTENSION_LABEL, candidate))
        parts = _plain(candidate)
        if parts is _INVALID:
            parts = _parse(candidate)
        if parts is _INVALID and (match := _TRAILING_EXTENSION.match(candidate)):
            parts = _parse(f"{match.group(1)}{_EXTENSION_LABEL}{match.group(2)}")
            parts = parts if parts.phone_type == _LANDLINE else _INVALID
        if parts is not _INVALID:
            return parts
    return _INVALID


def phone_text(parts: PhoneParts) -> str | None:
    """The standard parts written back as one string (+8675586013388 ext. 8001)."""
    if parts.e164 is None:
        return None
    return f"{parts.e164}{_EXTENSION_LABEL}{parts.extension}" if parts.extension else parts.e164


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
