"""Phone numbers and e-mail addresses typed into a company name, masked before the name is shown.

Reps sometimes type the contact into the name box: 北京某某科技有限公司（王经理 13698765432 wang@x.cn）.
A lookup promises never to show contact details, so every name it shows goes through
`contacts_masked` → 北京某某科技有限公司（王经理 136****5432 w***@x.cn）. The masks look like those of
the managers' reports (`transforms.reports.mask_contact`), which mask whole contact fields; this one
leaves the rest of a name exactly as typed (no NFKC, no Chinese characters taken for a mailbox).
"""

from __future__ import annotations

import re

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


def contacts_masked(name: str | None) -> str | None:
    """``name`` with every phone-like run and e-mail address masked, everything else unchanged.

    A run of 7+ digits whose last 11 are a mainland mobile keeps its first 3 and last 4 digits
    (13698765432, +86 136-9876-5432 → 136****5432); any other its last 4 (010-62345678 → ****5678).
    An address keeps the first character of its mailbox and its domain (wang@x.cn → w***@x.cn):
    the domain says which company, the mailbox who.
    """
    if name is None:
        return None
    if "@" in name or "＠" in name:
        name = _EMAIL.sub(_masked_address, name)
    return _PHONE_RUN.sub(_masked_run, name)


def _masked_run(match: re.Match[str]) -> str:
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
