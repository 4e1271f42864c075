import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from transforms.export_safety import FORMULA_TRIGGERS, formulas_neutralised, neutralise_formula


def test_formula_like_text_gets_a_leading_quote():
    frame = pl.DataFrame({
        "note": ['=HYPERLINK("http://evil.example","点我")', "+86 138", "-5", "@SUM(A1)", "普通备注", None],
        "n": [1, 2, 3, 4, 5, 6],
    })
    out = formulas_neutralised(frame)
    assert out["note"].to_list() == [
        '\'=HYPERLINK("http://evil.example","点我")', "'+86 138", "'-5", "'@SUM(A1)", "普通备注", None
    ]
    assert out["n"].to_list() == frame["n"].to_list()


@given(st.lists(st.one_of(st.none(), st.text()), max_size=20))
def test_no_neutralised_cell_starts_a_formula_and_scalar_agrees(values):
    out = formulas_neutralised(pl.DataFrame({"v": values}, schema={"v": pl.String}))["v"].to_list()
    assert out == [neutralise_formula(v) for v in values]
    assert not any(v is not None and v.startswith(FORMULA_TRIGGERS) for v in out)
