"""How reps type the contact fields of a claim: phone numbers, e-mails, websites, credit codes."""

from __future__ import annotations

import random

from samplegen.sampling import weighted_pool

_FULL_WIDTH_DIGITS = str.maketrans("0123456789-+() ", "０１２３４５６７８９－＋（）\u3000")
_MOBILE_STYLES = weighted_pool(range(7), (35, 15, 15, 12, 8, 8, 7))
_LANDLINE_STYLES = weighted_pool(range(5), (30, 25, 20, 10, 15))
_WEBSITE_STYLES = weighted_pool(range(7), (25, 20, 20, 10, 10, 8, 7))


def mobile_text(mobile: str, rng: random.Random) -> str:
    """13800138000 as 13800138000, +86 138-0013-8000, 138 0013 8000, full-width digits, ..."""
    a, b, c = mobile[:3], mobile[3:7], mobile[7:]
    style = rng.choice(_MOBILE_STYLES)
    if style == 0:
        return mobile
    if style == 1:
        return f"+86 {a}-{b}-{c}"
    if style == 2:
        return f"{a} {b} {c}"
    if style == 3:
        return f"{a}-{b}-{c}"
    if style == 4:
        return mobile.translate(_FULL_WIDTH_DIGITS)
    if style == 5:
        return f"+86{mobile}"
    return f"86-{mobile}"


def landline_text(area: str, local: str, rng: random.Random) -> tuple[str, bool]:
    """A switchboard as typed, and whether the text is plain digits (so Excel may eat the 0)."""
    style = rng.choice(_LANDLINE_STYLES)
    if style == 0:
        return f"{area}-{local}", False
    if style == 1:
        return f"({area}) {local[:4]}-{local[4:]}", False
    if style == 2:
        return f"{area}-{local} 转 {rng.randrange(100, 9000)}", False
    if style == 3:
        return f"{area} {local}", False
    return f"{area}{local}", True


def website_text(domain: str, rng: random.Random) -> str:
    """http://www.x.com/, x.com, WWW.X.COM/about, https://x.com, ..."""
    style = rng.choice(_WEBSITE_STYLES)
    if style == 0:
        return f"www.{domain}"
    if style == 1:
        return domain
    if style == 2:
        return f"http://www.{domain}/"
    if style == 3:
        return f"https://{domain}"
    if style == 4:
        return f"WWW.{domain.upper()}/about"
    if style == 5:
        return f"https://www.{domain}/index.html"
    return f"www.{domain}/"


def email_text(email: str, rng: random.Random) -> str:
    """The contact's address, now and then capitalised or with a stray space."""
    roll = rng.random()
    if roll < 0.05:
        local, _, domain = email.partition("@")
        return f"{local.capitalize()}@{domain.upper()}"
    if roll < 0.08:
        return f" {email} "
    return email


def credit_code_text(code: str, rng: random.Random) -> str:
    """Mostly as issued; sometimes lower-case or padded with spaces."""
    roll = rng.random()
    if roll < 0.04:
        return code.lower()
    if roll < 0.07:
        return f" {code}"
    return code
