"""The canonical claim: the fields every source is mapped onto, and which of them are required.

province, city and address are optional: they only decide `region` when the name has none
(`transforms.places`). Business time is defined here too: the zone days are counted in, and the
instant a night's "now" is fixed at."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CLAIM_FIELDS: tuple[str, ...] = (
    "claim_id",
    "submitted_at",
    "rep_id",
    "rep_name",
    "company_name",
    "contact_name",
    "phone",
    "email",
    "website",
    "credit_code",
    "province",
    "city",
    "address",
    "category",
    "industry",
    "note",
)

# The longest text a claim field may hold, in characters; a longer value refuses the row (a
# company name of 5 MB would otherwise take hours of pinyin). 200 is also the lookup's limit.
FIELD_LENGTH_LIMITS: dict[str, int] = {field: 200 for field in CLAIM_FIELDS} | {"address": 500, "note": 2000}

REQUIRED_FIELDS: tuple[str, ...] = ("claim_id", "submitted_at", "rep_id", "company_name", "category")

CATEGORIES: tuple[str, ...] = ("A", "B", "C", "D")
# the zone business days are counted in unless policy.yaml / sources.yaml say otherwise
BUSINESS_ZONE = "Asia/Shanghai"
# reviewer decisions (decisions.csv, the screens' desk) and the rulings each kind of appeal takes
DECISION_COLUMNS: tuple[str, ...] = (
    "decision_id", "kind", "claim_id_a", "claim_id_b", "decision", "reviewer", "decided_at", "note",
)
APPEAL_DECISIONS: dict[str, tuple[str, ...]] = {
    "conflict": ("uphold", "overturn"), "same_customer": ("same", "different"),
}


def as_of_end(as_of: date, zone: str) -> datetime:
    """The instant "now" is fixed at for a night: the end of the as-of day in the business zone."""
    return datetime.combine(as_of + timedelta(days=1), time(0), ZoneInfo(zone)).astimezone(UTC)


def business_today(zone: str, at: datetime | None = None) -> date:
    """The business date in `zone` at instant `at` (now by default): a night's default as-of."""
    return (at or datetime.now(UTC)).astimezone(ZoneInfo(zone)).date()

# The reps roster: the fields a roster file is mapped onto. manager / manager_email name who gets
# a team's conflict report (and where it is e-mailed); an empty quota means the policy's default.
ROSTER_FIELDS: tuple[str, ...] = ("rep_id", "rep_name", "team", "manager", "manager_email", "quota")
REQUIRED_ROSTER_FIELDS: tuple[str, ...] = ("rep_id", "rep_name", "team")

LINEAGE_COLUMNS: tuple[str, ...] = (
    "source",
    "source_kind",
    "file_name",
    "file_sha256",
    "row_number",
    "ingested_at",
)
