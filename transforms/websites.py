"""Websites: the registrable domain a company owns (https://www.bytedance.com/cn -> bytedance.com).

Registrable means one label more than the public suffix. Only multi-label suffixes need
listing (com.cn, co.uk, ...; reference_data/public_suffixes.csv): any other suffix is the
top-level label alone. The list is an abridged Public Suffix List covering the suffixes a
Chinese B2B customer base uses, not all of it.
"""

import re

from transforms.reference import fold_text, read_reference_csv

MULTI_LABEL_SUFFIXES = frozenset(row["suffix"] for row in read_reference_csv("public_suffixes.csv"))
_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.\-]*:)?//")
_HOST_END = re.compile(r"[/?#\\]")
_PORT = re.compile(r":\d*$")
# Dot-separated DNS labels: letters (any script, for internationalised names), digits,
# inner hyphens; at least two labels.
_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W_](?:[\w-]*[^\W_])?")
_WEBSITE_SEPARATORS = re.compile(r"[\s;,，、|]+")


def registrable_domain(host: str) -> str | None:
    """Registrable part of a lower-case host name (mail.bytedance.com.cn -> bytedance.com.cn).

    None for a bare suffix, an IP address or anything that is not a host name.
    """
    host = host.strip(".")
    if not _HOST.fullmatch(host):
        return None
    labels = host.split(".")
    if labels[-1].isdigit():
        return None
    keep = 3 if ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES else 2
    if len(labels) < keep:
        return None
    return ".".join(labels[-keep:])


def website_domain(raw: str | None) -> str | None:
    """Registrable domain of the first website in ``raw``: scheme, user, port, path and
    www dropped, lower case. None when no host name can be read."""
    if raw is None:
        return None
    text = fold_text(raw).lower().replace("。", ".")
    for token in _WEBSITE_SEPARATORS.split(text):
        host = _HOST_END.split(_SCHEME.sub("", token), maxsplit=1)[0]
        host = _PORT.sub("", host.rpartition("@")[2])
        domain = registrable_domain(host)
        if domain:
            return domain
    return None
