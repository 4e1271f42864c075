"""E-mail addresses: normal form, domain, and whether the domain is a consumer mailbox.

A free-mail domain (qq.com, 163.com, gmail.com, ...; reference_data/free_mail_domains.csv)
says nothing about the employer, whereas a company domain is strong evidence of it.
"""

import re
from dataclasses import dataclass

from transforms.reference import fold_text, read_reference_csv
from transforms.websites import registrable_domain

FREE_MAIL_DOMAINS = frozenset(row["domain"] for row in read_reference_csv("free_mail_domains.csv"))
_ADDRESS_SEPARATORS = re.compile(r"[\s;,，、|/]+")
# Spaces typed around @ and dots ("abc @ qq . com") join one address, not separate two.
_SPACED_PUNCTUATION = re.compile(r"\s*([@.])\s*")
_LOCAL_PART = re.compile(r"^[\w.!#$%&*+=?^`{}~'-]+$")
_WRAPPING = "<>()[]\"'.:"


@dataclass(frozen=True, slots=True)
class EmailParts:
    """A normalised address, its domain (the part after @) and the free-mail flag."""

    email_norm: str | None
    email_domain: str | None
    is_free_mail: bool | None


_INVALID = EmailParts(None, None, None)


def normalise_email(raw: str | None) -> EmailParts:
    """Parts of the first well-formed address in ``raw``: half width, lower case, without
    mailto: and brackets. All None when there is none. Free mail also covers a provider's
    sub-domains (vip.163.com)."""
    if raw is None:
        return _INVALID
    text = fold_text(raw).lower().replace("。", ".")
    if " " in text or not text.isprintable():
        text = _SPACED_PUNCTUATION.sub(lambda match: match.group(1), text)
    for token in _ADDRESS_SEPARATORS.split(text):
        address = token.removeprefix("mailto:").strip(_WRAPPING)
        local, at, domain = address.rpartition("@")
        if not at or not _LOCAL_PART.match(local) or registrable_domain(domain) is None:
            continue
        domain = domain.strip(".")
        is_free = domain in FREE_MAIL_DOMAINS or registrable_domain(domain) in FREE_MAIL_DOMAINS
        return EmailParts(f"{local}@{domain}", domain, is_free)
    return _INVALID
