"""Traditional → simplified conversion (OpenCC t2s) on names as reps type them."""

import pytest

from transforms.reference import to_simplified


@pytest.mark.parametrize(("written", "simplified"), [
    ("字節跳動（北京）科技有限公司", "字节跳动（北京）科技有限公司"),
    ("網路科技", "网路科技"),  # characters only: no regional vocabulary swap (网络)
    ("喜臨門傢俱", "喜临门家具"),
    ("钜泉科技", "钜泉科技"),  # already simplified: unchanged
    ("ＴＣＬ科技 Co., Ltd.", "ＴＣＬ科技 Co., Ltd."),  # width is NFKC's job, not this one's
])
def test_to_simplified(written, simplified):
    assert to_simplified(written) == simplified
