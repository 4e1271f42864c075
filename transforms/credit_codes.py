"""Unified social credit codes (统一社会信用代码), checked with python-stdnum.

An invalid code is never a reason to reject a claim: it becomes null and is flagged, so a
typo cannot make two companies look identical or stop a registration.
"""

import re
from dataclasses import dataclass

from stdnum.cn import uscc

from transforms.reference import fold_text

# Separators people put inside a code; stdnum's compact() only knows spaces and hyphens.
_SEPARATORS = re.compile(r"[\s\-_.·/]+")
# stdnum's alphabet check, done first so that odd Unicode never reaches the library.
_SHAPE = re.compile(r"^[0-9A-Z]{18}$")


@dataclass(frozen=True, slots=True)
class CreditCodeParts:
    """The compact upper-case code when valid, and whether a non-empty input was invalid."""

    credit_code_norm: str | None
    has_invalid_credit_code: bool


_ABSENT = CreditCodeParts(None, False)


def normalise_credit_code(raw: str | None) -> CreditCodeParts:
    """Validated 18-character code (half width, upper case, separators removed).

    None with the flag False when nothing was given; None with the flag True when something
    was given that fails the length, alphabet or check-character test.
    """
    if raw is None:
        return _ABSENT
    code = _SEPARATORS.sub("", fold_text(raw)).upper()
    if not code:
        return _ABSENT
    if _SHAPE.match(code) and uscc.is_valid(code):
        return CreditCodeParts(code, False)
    return CreditCodeParts(None, True)
