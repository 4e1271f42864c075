"""The Splink model's shape: which fields are compared, how, and which pairs are scored.

Everything reviewable about matching lives here; the trained parameters live in the model JSON.
Comparisons read the standardised claim columns prepared by `matching.prepare`.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from matching.prepare import UNIQUE_ID

# Blocking rules chosen with bench/blocking_analysis.py on the generated labelled data (see README):
# together they keep every true pair of the sample set while scoring a small share of all pairs.
# Above `matching.blocks.MAX_BLOCK` claims sharing one value, a block is paired by windows.
# `alias_key` (matching.aliases) reaches short and former names of listed companies. The
# name-shape keys `name_head` and `name_tail` (matching.name_keys), which reach a dropped or added
# character and English names, are not blocked on here: their blocks are broad, and only the
# pairs the link rules can use are taken from them (matching.rule_pairs).
BLOCKING_COLUMNS = (
    "core_name", "core_pinyin", "credit_code_norm", "phone", "company_email_domain", "website_domain",
    "trade_name", "trade_pinyin", "alias_key",
)
BLOCKING_RULES = tuple(block_on(column) for column in BLOCKING_COLUMNS)

# Rules used to estimate how likely two random claims are the same customer, and their recall.
DETERMINISTIC_RULES = (
    "l.credit_code_norm = r.credit_code_norm",
    "l.name_norm = r.name_norm",
)
DETERMINISTIC_RECALL = 0.5

# EM passes: each pass fixes the fields it blocks on and trains the others.
TRAINING_BLOCKS = (
    block_on("core_name"),
    block_on("phone"),
    block_on("website_domain"),
)


def _name_comparison() -> cl.CustomComparison:
    """Levels from strongest to weakest; the order matters (the first true level wins)."""
    shorter = "least(length(core_name_l), length(core_name_r))"
    one_edit = "levenshtein(core_name_l, core_name_r) = 1"
    latin_meets_pinyin = (
        "(is_latin_name_l and not is_latin_name_r and length(trade_pinyin_r) >= 4 "
        "and contains(core_name_l, trade_pinyin_r)) or "
        "(is_latin_name_r and not is_latin_name_l and length(trade_pinyin_l) >= 4 "
        "and contains(core_name_r, trade_pinyin_l))"
    )
    return cl.CustomComparison(
        output_column_name="company_name",
        comparison_levels=[
            cll.NullLevel("core_name"),
            cll.ExactMatchLevel("name_norm").configure(label_for_charts="full name identical"),
            cll.ExactMatchLevel("core_name").configure(
                tf_adjustment_column="core_name", label_for_charts="trade name identical"
            ),
            cll.ExactMatchLevel("core_pinyin").configure(label_for_charts="same pinyin (homophone typo)"),
            cll.CustomLevel(
                f"{one_edit} and abs(length(core_name_l) - length(core_name_r)) = 1 and {shorter} >= 3",
                label_for_charts="one character added or dropped",
            ),
            cll.CustomLevel(
                f"{shorter} >= 2 and (starts_with(core_name_l, core_name_r) or starts_with(core_name_r, core_name_l))",
                label_for_charts="one name begins the other (short name)",
            ),
            cll.CustomLevel(latin_meets_pinyin, label_for_charts="English name carries the pinyin"),
            cll.CustomLevel(f"{one_edit} and {shorter} >= 3", label_for_charts="one character replaced"),
            cll.ExactMatchLevel("trade_name").configure(label_for_charts="same trade name, other industry word"),
            cll.JaroWinklerLevel("core_pinyin", 0.9).configure(label_for_charts="pinyin very similar"),
            cll.ElseLevel(),
        ],
        comparison_description="company name: full, trade name, pinyin and character edits",
    )


def _branch_comparison() -> cl.CustomComparison:
    # No null level: "one is a branch, the other the head office" is itself evidence.
    return cl.CustomComparison(
        output_column_name="branch",
        comparison_levels=[
            cll.CustomLevel("coalesce(branch_l, '') = coalesce(branch_r, '')",
                            label_for_charts="same branch or both head office"),
            cll.ElseLevel(),
        ],
        comparison_description="branch (分公司 / 办事处 …)",
    )


def _contact_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="contact_name",
        comparison_levels=[
            cll.NullLevel("contact_name_norm"),
            cll.ExactMatchLevel("contact_name_norm"),
            cll.JaroWinklerLevel("contact_name_norm", 0.88),
            cll.ElseLevel(),
        ],
        comparison_description="contact person",
    )


def settings(*, seed_probability: float = 1e-4) -> SettingsCreator:
    """The untrained model: comparisons, blocking rules, term frequencies."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        probability_two_random_records_match=seed_probability,
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        comparisons=[
            _name_comparison(),
            cl.ExactMatch("legal_form"),
            cl.ExactMatch("region"),
            _branch_comparison(),
            cl.ExactMatch("credit_code_norm"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("company_email_domain"),
            cl.ExactMatch("website_domain"),
            _contact_comparison(),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=[],
    )
