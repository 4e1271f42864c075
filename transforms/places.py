"""The claim's region: written in its name, or else named by its city, address or province column.

The name wins because it is what the company is registered as, while the columns are sometimes
the rep's own location. Then the city column; then the address, whose chain names the city
(广东省深圳市… -> 深圳); the province last, being the coarsest: a province-level region would
disagree with the city-level one other claims of the same company carry. Regions are in the
canonical short form of `transforms.regions` (深圳, 内蒙古), as for names.
"""

import polars as pl

from transforms.names import normalise_name
from transforms.reference import fold_text
from transforms.regions import named_place

# column holding a candidate region → what `region_source` says when it is used, in precedence order
REGION_SOURCES: dict[str, str] = {
    "name_region": "name",
    "city_region": "city",
    "address_region": "address",
    "province_region": "province",
}
# The longest region chain (新疆维吾尔自治区伊犁哈萨克自治州…) fits in the first 24 characters;
# cutting there keeps the cost of an address that of a name.
_ADDRESS_HEAD = 24


def column_region(raw: str | None) -> str | None:
    """The region a province or city column names (广东省 -> 广东, 深圳市 -> 深圳); None if none."""
    norm = normalise_name(raw) if raw is not None else None
    return named_place(norm, is_address=False) if norm else None


def address_region(raw: str | None) -> str | None:
    """The city (else province) an address opens with (北京市朝阳区建国路88号 -> 北京); None if none."""
    norm = normalise_name(fold_text(raw).strip()[:_ADDRESS_HEAD]) if raw is not None else None
    return named_place(norm, is_address=True) if norm else None


def claim_region() -> tuple[pl.Expr, pl.Expr]:
    """(`region`, `region_source`) from the candidate columns of REGION_SOURCES."""
    region = pl.coalesce(list(REGION_SOURCES)).alias("region")
    source = pl.coalesce(
        pl.when(pl.col(column).is_not_null()).then(pl.lit(label)) for column, label in REGION_SOURCES.items()
    ).alias("region_source")
    return region, source
