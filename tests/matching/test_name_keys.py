"""Keys that reach short, former and English names and a dropped character."""

from matching.aliases import alias_core, alias_key, placed_alias_core
from matching.name_keys import chinese_head, latin_head, pinyin_syllables


def test_stock_short_and_former_names_key_to_the_full_name():
    full = alias_key(alias_core("瓦房店轴承股份有限公司"))
    assert full is not None
    assert alias_key(alias_core("瓦轴B")) == alias_key(alias_core("*ST瓦轴")) == full
    assert alias_key(alias_core("国农科技")) == alias_key(alias_core("深圳中国农大科技股份有限公司"))
    assert alias_key(alias_core("完全虚构的贸易")) is None
    # 有色 alone is several listed companies' short name; with its region it is one
    assert alias_key(alias_core("铜陵有色")) is None
    assert alias_key(placed_alias_core("铜陵有色")) == alias_key(alias_core("铜陵有色金属集团股份有限公司"))


def test_name_head_meets_a_dropped_character_a_homophone_and_an_english_pinyin_name():
    assert chinese_head("瓦房店轴承") == chinese_head("瓦房轴承") == latin_head("Wafangdian Bearing Co., Ltd.")
    assert chinese_head("信前网络") == chinese_head("芯千网络")
    assert latin_head("Huawei Device Co., Ltd.") == chinese_head("华为终端")
    assert latin_head("Tencent Technology (Shenzhen) Company Limited") is None   # not pinyin: no key


def test_pinyin_syllables_backtrack_and_refuse_non_pinyin():
    assert pinyin_syllables("xinqian") in (["xin", "qian"], ["xi", "n", "qian"])
    assert pinyin_syllables("wafangdian") == ["wa", "fang", "dian"]
    assert pinyin_syllables("tencent") is None


def test_the_vendored_alias_table_is_what_the_rules_derive_today():
    from matching.aliases import alias_keys, derived_alias_keys

    assert alias_keys() == derived_alias_keys()   # else: python -m matching.aliases


def test_industry_concepts_read_the_words_a_name_ends_with_in_either_language():
    from matching.name_keys import chinese_industry, english_industry

    assert english_industry("Huawei Cloud Computing Technologies Co., Ltd.") == chinese_industry("华为云计算技术")
    assert english_industry("Huawei Technologies Co., Ltd.") == chinese_industry("华为技术") == "technology"
    # industry words left in pinyin, a region glued to the trade name, group and holding words
    assert english_industry("JiaAoHuanBao Technology Co., Ltd.") == chinese_industry("嘉澳环保科技")
    assert english_industry("GuangZhouBaiYunShan Pharmaceutical Co.,Ltd") == chinese_industry("白云山制药")
    assert english_industry("XinChengTouZiKongGu(JiTuan) Corporation Limited") == chinese_industry("新城投资控股")
    # read from the end: 数通 is the trade name, not 通信 (communication)
    assert chinese_industry("先进数通信息技术") == "information technology"
    assert chinese_industry("华为") is None and english_industry("Wafangdian Bearing Co., Ltd.") is None


def test_an_english_name_with_the_region_glued_to_its_trade_name_keys_by_the_trade_name():
    from matching.name_keys import latin_head

    assert latin_head("ShangHaiHongDa New Materials Co., Ltd.") == latin_head("Hongda Materials") == "hongda"
    assert latin_head("JiLinHuaXian Inc.") == "huaxian"
