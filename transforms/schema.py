"""The canonical claim: the fields every source is mapped onto, and which of them are required.

province, city and address are optional: they only decide `region` when the name has none
(`transforms.places`)."""

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

REQUIRED_FIELDS: tuple[str, ...] = ("claim_id", "submitted_at", "rep_id", "company_name", "category")

CATEGORIES: tuple[str, ...] = ("A", "B", "C", "D")
# the zone business days are counted in unless policy.yaml / sources.yaml say otherwise
BUSINESS_ZONE = "Asia/Shanghai"

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
