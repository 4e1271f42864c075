"""Phone numbers and e-mail addresses masked before a text is shown: one mask for every output.

A mobile keeps its first 3 and last 4 digits (136****5432), any other number its last 4
(****5678), an address the first character of its mailbox and its domain (w***@x.cn): the domain
says which company, the mailbox who. Two readings of a text:

- `contact_field_masked`, for a contact field of a manager's report (phone, e-mail, contact
  name): the field is all contact, so it is NFKC-normalised and any run of digits with spaces,
  dashes, dots or slashes between them is a number ("138.0013.8000", "138/0013/8000").
- `contacts_masked`, for a company name: reps sometimes type the contact into the name box
  (北京某某科技有限公司（王经理 13698765432 wang@x.cn）), and a lookup or a report promises not to
  show contacts. The rest of the name stays exactly as typed (no NFKC, no Chinese characters
  taken for a mailbox), and runs shorter than 7 digits are names (360, 58同城, 12306).
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = "0-9０-９"
# A phone-like run: 7 or more digits (half or full width), optionally after +, with at most two
# spaces, dashes or brackets between two digits: a mobile 13698765432, +86 138-0013-8000, a
# landline with its area code 010-62345678 or (0755) 2878 0808, a bare local number 28780808.
# Shorter numbers are names, not phones (360, 58同城, 1号店, 37互娱, 12306) and are never touched.
_PHONE_RUN = re.compile(rf"(?<![{_DIGITS}])\+?[{_DIGITS}](?:[ \-()（）\u2010-\u2015]{{0,2}}[{_DIGITS}]){{6,}}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# An address: ASCII mailbox, @ (or full-width ＠), a dotted domain whose last label is letters
# (checked in `_masked_address`). Tried only where a run of mailbox characters starts, and without
# backtracking: linear in the length of the name.
_MAILBOX_CHARS = r"A-Za-z0-9._%+\-"
_EMAIL = re.compile(rf"(?<![{_MAILBOX_CHARS}])[{_MAILBOX_CHARS}]++[@＠][A-Za-z0-9\-]++(?:\.[A-Za-z0-9\-]++)++")
_TOP_LEVEL = re.compile(r"[A-Za-z]{2,}")
# in a contact field: seven or more digits, at most two separators (spaces, brackets, dashes of any
# width, dots, slashes) between two digits: "138 0013 8000" is one number, "138… / 021…" two
_FIELD_PHONE_RUN = re.compile(r"\+?\d(?:[\s\-()（）./_\u2010-\u2015]{0,2}\d){6,}")
_FIELD_EMAIL = re.compile(r"([^\s@,;，；<>:]+)@([^\s@,;，；<>]+)")


def contact_field_masked(text: str | None) -> str | None:
    """Every phone number and e-mail address in a contact field masked (a field may hold both)."""
    return emails_masked(phones_masked(text))


def phones_masked(text: str | None) -> str | None:
    """Every phone number in a contact field masked. Full-width digits count as digits."""
    if text is None:
        return None
    return _FIELD_PHONE_RUN.sub(_masked_run, unicodedata.normalize("NFKC", text))


def emails_masked(text: str | None) -> str | None:
    """Every e-mail address in a contact field masked to its first character and domain."""
    if text is None:
        return None
    return _FIELD_EMAIL.sub(lambda m: f"{m.group(1)[0]}***@{m.group(2)}", unicodedata.normalize("NFKC", text))


def contacts_masked(name: str | None) -> str | None:
    """``name`` with every phone-like run and e-mail address masked, everything else unchanged
    (13698765432, +86 136-9876-5432 → 136****5432; 010-62345678 → ****5678; wang@x.cn → w***@x.cn)."""
    if name is None:
        return None
    if "@" in name or "＠" in name:
        name = _EMAIL.sub(_masked_address, name)
    return _PHONE_RUN.sub(_masked_run, name)


def _masked_run(match: re.Match[str]) -> str:
    """A number keeping what says whose it is not: a mobile's first 3 and last 4 digits (its last
    11 digits, after any country code), any other number's last 4."""
    digits = "".join(char for char in match.group() if char.isdigit()).translate(_FULL_WIDTH_DIGITS)
    if len(digits) >= 11 and _MOBILE.fullmatch(digits[-11:]):
        return f"{digits[-11:-8]}****{digits[-4:]}"
    return f"****{digits[-4:]}"


def _masked_address(match: re.Match[str]) -> str:
    address = match.group()
    at = max(address.rfind("@"), address.rfind("＠"))
    mailbox, domain = address[:at], address[at:]
    first = next((char for char in mailbox if char.isalnum()), None)
    if first is None or not _TOP_LEVEL.fullmatch(domain.rsplit(".", 1)[1]):
        return address
    return f"{first}***{domain}"
