"""What a rep typed into the "check before you register" box, read the way claims are standardised.

One text becomes either contact keys (a complete phone number, an e-mail address, a credit code),
each looked up exactly, or name forms, each looked up as a prefix of the name keys: the name as
normalised (`transforms.names.normalise_name`: simplified, half width, lower case), its core (legal
form and region cut), its core without stock markers (瓦轴B → 瓦轴) and, for Latin text, its letters
and digits alone (pinyin and initials keys have nothing else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matching.aliases import alias_core
from transforms.credit_codes import normalise_credit_code
from transforms.emails import normalise_email
from transforms.names import name_structure, normalise_name
from transforms.phones import normalise_phone
from transforms.reference import fold_text

# contact keys share one sorted table, each value behind its kind's tag
PHONE, EMAIL, EMAIL_DOMAIN, CREDIT_CODE = "p:", "e:", "d:", "c:"
# a text of digits and number punctuation only, with this many digits, is a phone being typed: it
# is never matched against names (a name is no place to find a phone number)
MIN_PHONE_DIGITS = 7
MIN_LATIN_CHARS = 2
_PHONE_SHAPED = re.compile(r"[\d\s+\-().]+")
_CREDIT_CODE_SHAPED = re.compile(r"[0-9A-Za-z]{18}")
_CHINESE = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True, slots=True)
class TypedText:
    """The lookups one typed text asks for: exact contact keys (tagged, best first) or name forms."""

    contact_keys: tuple[str, ...] = ()
    name_forms: tuple[str, ...] = ()
    is_chinese: bool = False


NOTHING = TypedText()


def typed_text(text: str) -> TypedText:
    """The lookups for `text`; NOTHING for blank text, a single Latin letter, or a contact detail
    not yet complete (a phone number still being typed, an address without a valid domain)."""
    folded = fold_text(text).strip()
    if not folded:
        return NOTHING
    if "@" in folded:
        return _email_keys(folded)
    # before phones: a credit code may be all digits
    if _CREDIT_CODE_SHAPED.fullmatch(folded) and (code := normalise_credit_code(folded).credit_code_norm):
        return TypedText(contact_keys=(CREDIT_CODE + code,))
    if _PHONE_SHAPED.fullmatch(folded) and sum(char.isdigit() for char in folded) >= MIN_PHONE_DIGITS:
        phone = normalise_phone(folded).e164
        return TypedText(contact_keys=(PHONE + phone,)) if phone else NOTHING
    return _name_forms(folded)


def _email_keys(folded: str) -> TypedText:
    """The address, then its domain unless it is free mail (qq.com says nothing of the employer)."""
    parts = normalise_email(folded)
    if parts.email_norm is None:
        return NOTHING
    domain = () if parts.is_free_mail or parts.email_domain is None else (EMAIL_DOMAIN + parts.email_domain,)
    return TypedText(contact_keys=(EMAIL + parts.email_norm, *domain))


def _name_forms(folded: str) -> TypedText:
    name_norm = normalise_name(folded)
    if name_norm is None:
        return NOTHING
    is_chinese = _CHINESE.search(name_norm) is not None
    forms = [name_norm, name_structure(name_norm).core_name, alias_core(name_norm)]
    if not is_chinese:
        forms.append(_NOT_ALNUM.sub("", name_norm))
    kept = tuple(dict.fromkeys(form for form in forms if form and (is_chinese or len(form) >= MIN_LATIN_CHARS)))
    return TypedText(name_forms=kept, is_chinese=is_chinese) if kept else NOTHING
