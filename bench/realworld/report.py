"""The evaluation's figures as a markdown report a developer can read top to bottom."""

from __future__ import annotations


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    def cell(v: object) -> str:
        text = f"{v:.3f}" if isinstance(v, float) else str(v)
        return text.replace("|", "\\|").replace("\n", " ")

    return ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers),
            *("| " + " | ".join(cell(v) for v in row) + " |" for row in rows), ""]


def render(result: dict) -> str:
    """Markdown: headline, methods, phenomena, ingest, review queue, what goes wrong."""
    r, ing = result, result["ingest"]
    lines = [
        f"## Real-world evaluation: seed {r['seed']}, {r['claims']:,} claims",
        "",
        f"Night: `{r['command']}` — exit code {r['exit_code']}, wall time {r['night_seconds']:.1f} s.",
        (f"{r['accepted_claims']:,} claims accepted of {r['claims']:,}; scored {r['scored_claims']:,} valid accepted "
        f"claims of {r['true_companies']:,} true companies ({r['hard_claims']:,} hard)."),
        "",
        "### Clustering (valid accepted claims)",
        "",
    ]
    lines += _table(
        ["method", "pair P", "pair R", "pair F1", "B³ P", "B³ R", "B³ F1", "hard B³ P", "hard B³ R", "hard B³ F1"],
        [[name, *m["pairwise"].values(), *m["bcubed"].values(), *m["bcubed_hard"].values()]
         for name, m in r["methods"].items()])
    lines += ["### Per phenomenon (B³ over the claims carrying the tag; the model, and exact name_norm's F1)", ""]
    lines += _table(["phenomenon", "claims", "P", "R", "F1", "name_norm F1"],
                    [[p["phenomenon"], p["claims"], *p["model"].values(), p["name_norm_F1"]]
                     for p in r["per_phenomenon"]])
    lines += [
        "### Ingest",
        "",
        (f"- valid claims refused: **{ing['valid_refused']}** of {r['valid_claims']:,} "
        f"(annotated phone cells: {ing['annotated_phone_refused']} of {ing['annotated_phone_total']} refused); "
        f"valid claims neither accepted nor quarantined: {ing['valid_lost']}"),
        f"- refused valid claims by check: {_pairs(ing['valid_refused_by_reason'])}",
        f"- refused valid claims by tag: {_pairs(ing['valid_refused_by_tag'])}",
        f"- refused phone cells, e.g.: {', '.join(f'`{p}`' for p in ing['refused_phone_examples']) or '—'}",
        f"- hostile names accepted: **{ing['hostile_accepted']} of {ing['hostile_total']}**",
        (f"- review queue: {r['review_queue']['pairs']:,} pairs "
         f"({r['review_queue']['pct_of_accepted']}% of accepted claims)"),
        "",
        "### Predicted clusters mixing the most true companies",
        "",
    ]
    lines += _table(["cluster", "companies", "claims", "biggest (name×claims)"],
                    [[c["cluster"], c["entities"], c["claims"], c["biggest"]] for c in r["mixed_clusters"]])
    lines += ["### Biggest false merges (pairs of true companies, by wrongly linked claim pairs)", ""]
    lines += _table(["company A", "company B", "A is", "B is", "same group", "wrong pairs"],
                    [[m["entity_name"], m["entity_name_b"], m["phenomenon"], m["phenomenon_b"], m["same_group"],
                      m["wrong_pairs"]] for m in r["false_merges"]])
    lines += ["### True companies split over the most clusters", ""]
    lines += _table(["company", "claims", "clusters", "largest part"],
                    [[s["entity_name"], s["claims"], s["clusters"], s["largest_part"]] for s in r["split_entities"]])
    return "\n".join(lines)


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"
