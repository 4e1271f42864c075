"""A lookup's answer (`service.query.Lookup.answer`) as a rep reads it on a terminal."""

from __future__ import annotations


def answer_text(answer: dict) -> str:
    """The answer as a rep reads it on a terminal."""
    std = answer["query"]["standardised"]
    header = (f"查询 query: {std['name_norm'] or '-'}  (trade name {std['core_name'] or '-'}; "
              f"warehouse as of {answer['warehouse_as_of']})")
    lines = [header, _verdict_line(answer)]
    for title, entries in (("可能的同一客户 matches", answer["matches"]),
                           ("关联公司，非同一客户 related companies, not the same customer",
                            answer["related_companies"])):
        if not entries:
            continue
        lines.append(title + ":")
        for e in entries:
            holder = (f"{e['owner']['name']} ({e['owner']['team']}) until {e['protection_end']}"
                      + (f", idle release {e['idle_release_at']}" if e["idle_release_at"] else "")
                      if e["owner"] else "公海 public pool")
            agreed = ", ".join(f"{a['field']}: {a['level']}" for a in e["agreed"]) or "-"
            lines.append(f"  {e['probability']:6.1%}  {e['verdict']:<16} {e['display_name']} [{e['customer_id']}]")
            lines.append(f"          {e['verdict_zh']}; owner {holder}")
            lines.append(f"          agreed: {agreed}")
    return "\n".join(lines)


def _verdict_line(answer: dict) -> str:
    """What the rep should do, in one line; "free to register" only when `known` is false."""
    if not answer["known"]:
        if not answer["matches"] and not answer["related_companies"]:
            return ("未找到已知客户，可以报备（以规则为准） no known customer matches: free to register "
                    "(subject to the rules)")
        return ("未找到同一客户，可以报备（以规则为准）；下列仅为相似或关联的其他客户 "
                "no known customer matches: free to register (subject to the rules); those below are only weakly "
                "similar public-pool customers or other legal entities")
    if any(m["verdict"] in ("sure", "likely") for m in answer["matches"]):
        return "已知客户，请勿重复报备 known customer: see its owner below"
    return ("可能是已知客户，报备前请核对下列客户 possibly a known customer (protected, or similar enough to review): "
            "check the customers below before registering")
