"""The typeahead behind a rep's "check before you register" page: known customers as a name is typed.

`TypeaheadIndex` holds, in memory, sorted key tables (service.typeahead_keys) over every published
claim's names (name, core, trade name, listed-company short names, their pinyin and initials) and
contact keys. A typed name is looked up as a prefix by binary search (`search_sorted`, as
matching.candidate_index does): customers whose key equals a typed form first, then those with a
key it opens; Chinese text that has not filled the list then scans, in customer order, the Chinese
name keys containing it, stopping once the list is full. A complete phone number, an e-mail
address (or its company domain) and a credit code are matched exactly. Within a tier, customers
with more claims come first, then by display name and id: the order the customers are numbered in.

An answer names the customer, the name that matched and how, and who protects it until when; never
a contact detail, even when a phone or an address found it (display and matched names pass through
transforms.contact_masking too, for a contact typed into a name box).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from adapters.sql_files import QUERIES, sql_text
from adapters.warehouse import NoWarehouseError, frame
from matching.aliases import alias_keys
from service.typeahead_keys import KINDS, NameKeys, contact_keys, name_keys, ranked_customers, substring_keys
from service.typeahead_text import EMAIL, EMAIL_DOMAIN, PHONE, typed_text
from service.warehouse_reader import CUSTOMER_SCHEMA, CUSTOMERS_SQL
from transforms.contact_masking import contacts_masked
from transforms.export_safety import neutralise_controls
from transforms.schema import BUSINESS_ZONE

RESULT_KEYS = ("customer_id", "display_name", "matched_name", "matched_by", "owner_rep_id", "owner_name",
               "owner_team", "protection_end", "status")
_CONTACT_KINDS = {PHONE: "phone", EMAIL: "email", EMAIL_DOMAIN: "email"}
_LAST_CHARACTER = "\U0010ffff"  # after every character: `p + _LAST_CHARACTER` bounds the keys opening with p
# a customer found: (rank, matched_by, the name that matched or None for its display name)
_Found = tuple[int, str, str | None]


class TypeaheadIndex:
    """Every published customer's name and contact keys, ready to answer typed text; read-only once
    built, so one index may serve many threads."""

    def __init__(self, customers: pl.DataFrame, names: NameKeys, contacts: pl.DataFrame) -> None:
        self._customers = customers
        keys = names.keys
        self._keys = keys["key"].rechunk()
        self._key_ranks = keys["rank"].to_numpy()
        self._key_kinds = keys["kind"].to_numpy()
        self._key_name_ids = keys["name_id"].to_numpy()
        self._names = names.names
        inside = substring_keys(keys)
        # the Chinese keys in customer order as one text, each after a newline (no key holds one):
        # str.find runs through it at memory speed, far faster than a per-key polars scan
        self._inside_text = "\n" + "\n".join(inside["key"].to_list())
        spans = inside["key"].str.len_chars().to_numpy().astype(np.int64) + 1  # each key and its newline
        self._inside_starts = np.cumsum(spans) - spans + 1  # where each key's text begins
        self._inside_rows = inside["row"].to_numpy()
        self._contacts = contacts["key"].rechunk()
        self._contact_ranks = contacts["rank"].to_numpy()

    @classmethod
    def from_frames(cls, names: pl.DataFrame, contacts: pl.DataFrame, customers: pl.DataFrame,
                    aliases: pl.DataFrame | None = None, zone: str = BUSINESS_ZONE) -> TypeaheadIndex:
        """The index of these claims (frames as service.typeahead_keys describes them). `aliases`
        (alias_core, full_core) defaults to the packaged listed-company table (matching.aliases);
        protection ends are dated in `zone`."""
        if aliases is None:
            table = alias_keys()
            aliases = pl.DataFrame({"alias_core": list(table), "full_core": list(table.values())},
                                   schema={"alias_core": pl.String, "full_core": pl.String})
        ranks = ranked_customers(customers, names, zone)
        return cls(ranks, name_keys(names, ranks, aliases), contact_keys(contacts, ranks))

    def suggest(self, text: str, limit: int = 8) -> list[dict[str, object]]:
        """At most `limit` customers for `text` as typed so far, best first, one entry each, with the
        keys of RESULT_KEYS. [] for blank text, one Latin letter or an incomplete phone number."""
        typed = typed_text(text)
        if limit <= 0 or not (typed.contact_keys or typed.name_forms):
            return []
        if typed.contact_keys:
            found = self._contact_matches(typed.contact_keys, limit)
        else:
            found = self._name_matches(typed.name_forms, limit)
            if len(found) < limit and typed.is_chinese:
                found += self._substring_matches(typed.name_forms[0], limit - len(found), {f[0] for f in found})
        return [self._answer(match) for match in found]

    def _name_matches(self, forms: tuple[str, ...], limit: int) -> list[_Found]:
        """Customers whose key equals a typed form, then those with a key opening with one."""
        exact = [(self._keys.search_sorted(form, "left"), self._keys.search_sorted(form, "right")) for form in forms]
        prefix = [(start, self._keys.search_sorted(form + _LAST_CHARACTER, "left"))
                  for form, (start, _) in zip(forms, exact, strict=True)]
        found: list[_Found] = []
        for ranges in (exact, prefix):
            if len(found) >= limit:
                break
            ranks = np.concatenate([self._key_ranks[start:end] for start, end in ranges])
            taken = {match[0] for match in found}
            chosen = [rank for rank in _smallest_distinct(ranks, limit + len(taken)) if rank not in taken]
            found += self._best_keys(ranges, chosen[: limit - len(found)])
        return found

    def _best_keys(self, ranges: list[tuple[int, int]], chosen: list[int]) -> list[_Found]:
        """For each chosen customer, in order, its key in `ranges` of the best kind (then the first)."""
        best: dict[int, tuple[int, int]] = {}
        for start, end in ranges:
            for row in np.flatnonzero(np.isin(self._key_ranks[start:end], chosen)) + start:
                rank, candidate = int(self._key_ranks[row]), (int(self._key_kinds[row]), int(row))
                best[rank] = min(best.get(rank, candidate), candidate)
        return [(rank, KINDS[best[rank][0]], self._names[int(self._key_name_ids[best[rank][1]])]) for rank in chosen]

    def _substring_matches(self, form: str, wanted: int, taken: set[int]) -> list[_Found]:
        """The best ranked customers not yet `taken` with a Chinese name key containing `form`: the
        keys are in customer order, so the scan stops at the key that fills the list."""
        found: dict[int, _Found] = {}
        at = self._inside_text.find(form)
        while at >= 0 and len(found) < wanted:
            inside = int(np.searchsorted(self._inside_starts, at, side="right")) - 1
            row = int(self._inside_rows[inside])
            rank = int(self._key_ranks[row])
            if rank not in taken and rank not in found:  # a customer's first hit is its best kind
                found[rank] = (rank, KINDS[self._key_kinds[row]], self._names[int(self._key_name_ids[row])])
            following = inside + 1
            at = self._inside_text.find(form, int(self._inside_starts[following])) if following < len(
                self._inside_starts) else -1
        return list(found.values())

    def _contact_matches(self, tagged: tuple[str, ...], limit: int) -> list[_Found]:
        """Customers holding the typed phone, address or credit code, then those on its domain."""
        found: dict[int, _Found] = {}
        for key in tagged:
            start, end = self._contacts.search_sorted(key, "left"), self._contacts.search_sorted(key, "right")
            for rank in sorted(set(self._contact_ranks[start:end].tolist())):
                found.setdefault(rank, (rank, _CONTACT_KINDS.get(key[:2], "credit_code"), None))
        return list(found.values())[:limit]

    def _answer(self, match: _Found) -> dict[str, object]:
        rank, matched_by, matched_name = match
        customer = self._customers.row(rank, named=True)
        protected = customer["owner_rep_id"] is not None
        return {
            "customer_id": customer["customer_id"],
            "display_name": _shown(customer["display_name"]),
            "matched_name": _shown(customer["display_name"] if matched_name is None else matched_name),
            "matched_by": matched_by,
            "owner_rep_id": customer["owner_rep_id"],
            "owner_name": customer["owner_name"],
            "owner_team": customer["owner_team"],
            "protection_end": customer["protection_end"] if protected else None,
            "status": "protected" if protected else "public_pool",
        }


def load_typeahead(warehouse: Path, zone: str = BUSINESS_ZONE) -> TypeaheadIndex:
    """The index of the published warehouse, read from a read-only connection closed before building."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        if not Path(warehouse).exists():
            raise NoWarehouseError.missing(Path(warehouse)) from exc
        raise NoWarehouseError(f"cannot open {warehouse} read-only: {exc}") from exc
    try:
        names = frame(con, sql_text(QUERIES, "typeahead_names"))
        contacts = frame(con, sql_text(QUERIES, "typeahead_contacts"))
        customers = frame(con, CUSTOMERS_SQL).cast(CUSTOMER_SCHEMA)  # type: ignore[arg-type]
    except duckdb.CatalogException as exc:
        raise NoWarehouseError(f"{warehouse} lacks a table the typeahead reads ({exc})") from exc
    finally:
        con.close()
    return TypeaheadIndex.from_frames(names, contacts, customers, zone=zone)


def _smallest_distinct(values: np.ndarray, count: int) -> list[int]:
    """The `count` smallest distinct values, ascending, without sorting all of a large range: the
    smallest `take` values hold the `count` smallest distinct ones once they hold `count` distinct."""
    take = 4 * count
    while take < len(values):
        distinct = np.unique(np.partition(values, take - 1)[:take])
        if len(distinct) >= count:
            return distinct[:count].tolist()
        take *= 4
    return np.unique(values)[:count].tolist()


def _shown(name: str | None) -> str | None:
    """A name safe to show: no control characters, no phone number or address typed into it."""
    return None if name is None else contacts_masked(neutralise_controls(name))
