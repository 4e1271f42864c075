"""Reading the reference lists vendored in ``transforms/reference_data``.

Every list is read once, at import of the module that needs it, into immutable objects;
nothing here is mutated afterwards, so repeated nightly runs see the same rules.
"""

import csv
import io
import unicodedata
from importlib.resources import files

import zhconv

_PACKAGE = "transforms.reference_data"
# Control, format (zero-width, bidi), surrogate, private-use and unassigned code points
# carry no meaning in names, phones or addresses but break equality.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def read_reference_csv(relative_path: str) -> tuple[dict[str, str], ...]:
    """Rows of a UTF-8 CSV under transforms/reference_data, as dicts of stripped strings."""
    resource = files(_PACKAGE).joinpath(*relative_path.split("/"))
    reader = csv.DictReader(io.StringIO(resource.read_text(encoding="utf-8-sig")))
    return tuple({key: (value or "").strip() for key, value in row.items()} for row in reader)


def fold_text(raw: str) -> str:
    """NFKC form of ``raw`` (full width to half width) without invisible characters.

    Whitespace is kept (as plain spaces after NFKC where Unicode says so); callers decide
    whether it separates tokens or is noise.
    """
    folded = unicodedata.normalize("NFKC", raw)
    if not folded.isprintable():
        folded = "".join(
            char
            for char in folded
            if char.isspace() or unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        )
    return folded


def to_simplified(text: str) -> str:
    """Character-level traditional to simplified conversion (zhconv ``zh-hans``).

    ``zh-hans`` rather than ``zh-cn``: the latter also swaps regional vocabulary
    (網路 -> 网络), which would make 網路 and its character-by-character simplification 网路
    disagree; a company name is a proper noun, not vocabulary to localise.
    """
    return zhconv.convert(text, "zh-hans")
