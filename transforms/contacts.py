"""Contact person names: simplified characters, titles and honorifics stripped.

王总 / 王总经理 / 王先生 all become 王, so a contact typed with or without a title compares
equal. Titles are data (reference_data/contact_titles.csv).
"""

import re

from transforms.reference import fold_text, read_reference_csv, to_simplified

_TITLES = read_reference_csv("contact_titles.csv")
# Longest first, so 总经理 is cut before 经理 and 总.
SUFFIX_TITLES = tuple(
    sorted((t["title"] for t in _TITLES if t["position"] == "suffix"), key=lambda t: (-len(t), t))
)
PREFIX_TITLES = frozenset(t["title"] for t in _TITLES if t["position"] == "prefix")
# Several people in one cell: 张三/李四, 张三、李四; the first is kept. Not 和 / 及, which
# also occur inside given names (王和平).
_PEOPLE_SEPARATORS = re.compile(r"[/,;、|&]")
# Remarks in brackets (张三(采购部)) and everything that cannot be part of a name.
_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]?")
_NOT_NAME = re.compile(r"[^\w\s·'-]|[\d_]")
_CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")


def normalise_contact(raw: str | None) -> str | None:
    """Comparable contact name: first person only, no titles, no digits or remarks.

    Chinese names lose all whitespace (张  三 -> 张三); Latin names are lower-cased with single
    spaces and lose leading honorifics (Mr. John Smith -> john smith). None when nothing is
    left, e.g. for a bare title such as 经理.
    """
    if raw is None:
        return None
    text = to_simplified(fold_text(raw))
    people = _PEOPLE_SEPARATORS.split(text)
    first = next((p for p in people if _NOT_NAME.sub("", _BRACKETED.sub("", p)).strip()), "")
    name = _NOT_NAME.sub(" ", _BRACKETED.sub(" ", first)).lower()
    if _CJK.search(name):
        return _without_suffix_titles("".join(name.split()).strip("·'-"))
    words = [word for word in (w.strip("·'-") for w in name.split()) if word]
    while words and words[0] in PREFIX_TITLES:
        words = words[1:]
    return " ".join(words) or None


def _without_suffix_titles(name: str) -> str | None:
    """``name`` without trailing titles; None when it was nothing but titles."""
    while name:
        title = next((t for t in SUFFIX_TITLES if name.endswith(t)), None)
        if title is None:
            return name
        name = name.removesuffix(title)
    return None
