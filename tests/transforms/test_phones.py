"""normalise_phone on phone cells as people annotate them: the number a person meant is read."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.phones import PhoneParts, normalise_phone

MOBILE = "mobile"
LANDLINE = "landline"


@pytest.mark.parametrize(
    ("cell", "e164", "extension", "phone_type", "alt"),
    [
        ("18592172390 微信同号", "+8618592172390", None, MOBILE, None),
        ("16658657087（微信同号）", "+8616658657087", None, MOBILE, None),
        ("微信:13800138000", "+8613800138000", None, MOBILE, None),
        ("（0729）70257977-2698", "+8672970257977", "2698", LANDLINE, None),
        ("+86-591-3430106-2076", "+865913430106", "2076", LANDLINE, None),
        ("０４８８－４６４３１５７８-1213", "+8648846431578", "1213", LANDLINE, None),
        ("18087761359/180****1359", "+8618087761359", None, MOBILE, None),
        ("180****1359/18087761359", "+8618087761359", None, MOBILE, None),
        ("手机:13912345678 座机:021-55556666", "+8613912345678", None, MOBILE, "+862155556666"),
        ("座机:021-55556666 手机:13912345678", "+8613912345678", None, MOBILE, "+862155556666"),
        ("手机 13912345678 / 座机 021-55556666", "+8613912345678", None, MOBILE, "+862155556666"),
        ("0755-86013388转8001", "+8675586013388", "8001", LANDLINE, None),
        ("tel: 0755-86013388", "+8675586013388", None, LANDLINE, None),
        ("电话：13800138000", "+8613800138000", None, MOBILE, None),
        ("13800138000 13900139000", "+8613800138000", None, MOBILE, "+8613900139000"),
        ("138 0013 8000 / 139 0013 9000", "+8613800138000", None, MOBILE, "+8613900139000"),
        ("(+86)13800138000", "+8613800138000", None, MOBILE, None),
        ("13800138000(张总)", "+8613800138000", None, MOBILE, None),
        ("010-12345678 13800138000", "+8613800138000", None, MOBILE, "+861012345678"),
        ("0755-86013388/13800138000", "+8613800138000", None, MOBILE, "+8675586013388"),
        ("手机:13912345678 座机:021-55556666转8001", "+8613912345678", None, MOBILE, "+862155556666"),
    ],
)
def test_an_annotated_cell_reads_as_the_number_meant(cell, e164, extension, phone_type, alt):
    assert normalise_phone(cell) == PhoneParts(e164, extension, phone_type, alt)


@pytest.mark.parametrize(
    "cell", ["同微信", "微信:wxid_abc", "86013388", "随便写的", "12345", "12345678901", "180****1359"])
def test_a_cell_without_a_readable_number_reads_as_nothing(cell):
    """86013388 has no area code: which city's number it is cannot be known."""
    assert normalise_phone(cell) == PhoneParts(None, None, None)


ANNOTATIONS = st.sampled_from(
    [" 微信同号", "（微信同号）", "(同微信)", " 张经理", "（王总）", " 手机", "/180****1359", " 可加微信", ""]
)
LABELS = st.sampled_from(["", "手机:", "手机：", "电话", "tel: ", "Tel:", "mobile "])
MOBILES = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["138", "139", "150", "166", "180", "185", "199"]),
    st.text(st.sampled_from("0123456789"), min_size=8, max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(LABELS, MOBILES, ANNOTATIONS)
def test_a_valid_mobile_with_any_label_or_annotation_still_reads(label, mobile, annotation):
    parts = normalise_phone(f"{label}{mobile}{annotation}")
    assert (parts.e164, parts.phone_type) == (f"+86{mobile}", MOBILE)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_reads_without_raising(cell):
    parts = normalise_phone(cell)
    assert parts.e164 is None or parts.e164.startswith("+")
    assert parts.alt_e164 is None or (parts.e164 is not None and parts.alt_e164 != parts.e164)
