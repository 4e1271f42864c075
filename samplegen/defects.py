"""Deliberately bad rows: what each kind does to a claim and why the pipeline must catch it.

The kinds are assigned by the planner; defects.csv in labels/ lists every affected claim_id.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from samplegen.code_issuer import with_wrong_check_char

if TYPE_CHECKING:  # render imports the planner, which imports DEFECT_KINDS from here
    from samplegen.render import Claim

# kind -> what the pipeline is expected to do about it
DEFECT_REASONS = {
    "missing_company_name": "company name empty: quarantine, nothing to match on",
    "unknown_rep_id": "rep_id not in reps.csv (S0xx typed as S9xx): quarantine",
    "unparseable_timestamp": "submitted_at cannot be parsed: quarantine",
    "future_timestamp": "year typed 2062 instead of 2026: quarantine (after as-of)",
    "duplicate_claim_id": "the same row exported twice: keep one",
    "implausible_phone": "phone 12345 is no phone number: accept the claim, ignore the phone, tell the rep",
    "malformed_email": "e-mail zhang@@qq is malformed: accept the claim, ignore the e-mail, tell the rep",
    "invalid_category": "category E is outside A-D: quarantine",
    "formula_in_note": "note is a spreadsheet formula: store verbatim, never evaluate it",
    "contact_starts_with_symbol": "contact starts with + - or @: store verbatim, escape on export",
    "script_in_company_name": "company name carries <script>: quarantine (no company is called that)",
    "invalid_credit_code": "credit code check character wrong: treat the code as absent",
}
DEFECT_KINDS = tuple(DEFECT_REASONS)
_BAD_TIMES = ("2026-13-45 25:00:00", "昨天下午")
_FORMULA = '=HYPERLINK("http://evil.example","点我")'
_SCRIPT = "<script>alert(1)</script>"


def apply_defect(
    claim: Claim, kind: str, canonical_name: str, credit_code: str, rng: random.Random
) -> Claim:
    """The claim with defect `kind` applied; a duplicate is left as is (the writer repeats it)."""
    if kind == "missing_company_name":
        return claim._replace(company_name="")
    if kind == "unknown_rep_id":
        return claim._replace(rep_id="S9" + claim.rep_id[-2:])
    if kind == "unparseable_timestamp":
        return claim._replace(timestamp_defect="unparseable", bad_time_text=rng.choice(_BAD_TIMES))
    if kind == "future_timestamp":
        return claim._replace(timestamp_defect="future")
    if kind == "implausible_phone":
        return claim._replace(phone="12345", phone_digits="")
    if kind == "malformed_email":
        local = claim.email.strip().partition("@")[0] or "zhang"
        return claim._replace(email=f"{local}@@qq")
    if kind == "invalid_category":
        return claim._replace(category=4)
    if kind == "formula_in_note":
        return claim._replace(note=_FORMULA)
    if kind == "contact_starts_with_symbol":
        return claim._replace(contact_name=rng.choice("+-@") + claim.contact_name)
    if kind == "script_in_company_name":
        return claim._replace(company_name=canonical_name + _SCRIPT)
    if kind == "invalid_credit_code":
        return claim._replace(credit_code=with_wrong_check_char(credit_code, rng))
    if kind == "duplicate_claim_id":
        return claim
    raise ValueError(f"unknown defect kind {kind!r}")
