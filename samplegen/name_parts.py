"""Structure of Chinese company names: region + trade name (字号) + industry word + legal form.

Registered names of real companies are split into those parts so that variants can move the
region into brackets or swap the legal form; synthetic names are composed from the same parts.
"""

from __future__ import annotations

from dataclasses import dataclass

# (industry word, English rendering, industries of the reference file it suits)
INDUSTRY_WORDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("科技", "Technology", ("软件服务", "IT设备", "元器件", "通信设备", "互联网")),
    ("技术", "Technology", ("软件服务", "电气设备", "专用机械")),
    ("信息技术", "Information Technology", ("软件服务", "互联网")),
    ("网络科技", "Network Technology", ("互联网", "软件服务")),
    ("软件", "Software", ("软件服务",)),
    ("电子", "Electronics", ("元器件", "半导体")),
    ("半导体", "Semiconductor", ("半导体",)),
    ("通信", "Communication", ("通信设备", "电信运营")),
    ("智能科技", "Intelligent Technology", ("专用机械", "IT设备")),
    ("电气", "Electric", ("电气设备",)),
    ("新能源", "New Energy", ("电气设备", "新型电力")),
    ("新材料", "New Materials", ("化工原料", "矿物制品")),
    ("化工", "Chemical", ("化工原料", "染料涂料")),
    ("医药", "Pharmaceutical", ("化学制药", "中成药", "医药商业")),
    ("生物科技", "Biotechnology", ("生物制药", "医疗保健")),
    ("医疗器械", "Medical Devices", ("医疗保健",)),
    ("机械", "Machinery", ("专用机械", "工程机械", "机械基件")),
    ("精密机械", "Precision Machinery", ("机床制造", "机械基件")),
    ("汽车零部件", "Auto Parts", ("汽车配件",)),
    ("食品", "Food", ("食品", "乳制品", "软饮料")),
    ("物流", "Logistics", ("仓储物流",)),
    ("供应链管理", "Supply Chain Management", ("仓储物流", "商贸代理")),
    ("贸易", "Trading", ("商贸代理", "批发业")),
    ("建设工程", "Construction Engineering", ("建筑工程", "装修装饰")),
    ("环保科技", "Environmental Technology", ("环境保护", "水务")),
    ("能源", "Energy", ("火力发电", "新型电力", "供气供热")),
    ("文化传媒", "Culture Media", ("影视音像", "广告包装", "出版业")),
    ("纺织", "Textile", ("纺织", "服饰")),
    ("家居", "Home Furnishing", ("家居用品",)),
    ("置业", "Real Estate", ("区域地产", "房产服务")),
    ("投资控股", "Investment Holdings", ("多元金融", "综合类")),
    ("实业", "Industrial", ("综合类",)),
    ("终端", "Device", ("通信设备",)),
    ("云计算技术", "Cloud Computing Technology", ("软件服务",)),
)
ENGLISH_INDUSTRY = {word: english for word, english, _ in INDUSTRY_WORDS}

# Extra industry words seen in listed names, recognised when parsing but never generated.
_PARSE_ONLY_WORDS = (
    "药业", "矿业", "纸业", "环境", "环保", "控股", "投资", "发展", "集团", "股份", "电力",
    "证券", "银行", "保险", "制药", "建设", "工程", "装备", "智能", "传媒", "文化", "生物",
    "汽车", "能源", "网络", "信息", "材料", "重工", "钢铁", "水务", "港口", "旅游", "酒业",
)
_INDUSTRY_PARSE = tuple(
    sorted({w for w, _, _ in INDUSTRY_WORDS} | set(_PARSE_ONLY_WORDS), key=lambda w: (-len(w), w))
)

LEGAL_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "集团股份有限公司")
LEGAL_FORM_WEIGHTS = (55, 10, 25, 5, 5)
# Longest first so that 股份有限公司 wins over 有限公司.
_GROUP_FORMS = ("(集团)股份有限公司", "（集团）股份有限公司", "(集团)有限公司", "（集团）有限公司")
_FORM_PARSE = tuple(
    sorted(LEGAL_FORMS + _GROUP_FORMS + ("股份公司", "公司"), key=lambda f: (-len(f), f))
)

TRADE_CHARS = tuple(
    dict.fromkeys(
        "华中新金创科达瑞恒信通泰联鼎博宏盛安康源鑫海天力兴嘉诚德明辰汇远宇星晟航启智聚润丰益"
        "众美佳和长凯越正捷锐腾翔银峰云维飞方立尚睿迅迪拓毅卓奥易思朗晶弘祥坤欣顺发普世永亿万"
        "利昌隆荣富光辉耀威邦精工盈裕乐蓝绿青"
    )
)
# Same-sound partners of the trade characters, so that pinyin typos have somewhere to go.
HOMOPHONE_EXTRAS = (
    "化划抗太态心大衡同连莲波鸿洪红胜圣元圆园添田丽行家加成城程得铭名晨臣辉慧惠雨语羽起琪志致至"
    "巨炬锋风艺意忠梅禾合开楷跃悦政郑杰洁藤想印运芸伟微菲非芳上讯帝义灼澳斯丝浪京经昆舜浦谱视"
    "市泳咏湾可克计际纪结东栋"
)


@dataclass(frozen=True, slots=True)
class NameParts:
    """A company name taken apart; `region_written` is the prefix as registered (深圳市 or 深圳)."""

    region: str
    region_written: str
    region_style: str  # "prefix" | "bracket" | "none"
    trade: str
    industry_word: str
    legal_form: str


def name_pieces(parts: NameParts) -> list[str]:
    """The non-empty pieces of the name in written order, the region placed per its style."""
    if not parts.region or parts.region_style == "none":
        pieces = [parts.trade, parts.industry_word, parts.legal_form]
    elif parts.region_style == "bracket":
        pieces = [f"{parts.trade}（{parts.region}）", parts.industry_word, parts.legal_form]
    else:
        region = parts.region_written or parts.region
        pieces = [region, parts.trade, parts.industry_word, parts.legal_form]
    return [p for p in pieces if p]


def compose(parts: NameParts) -> str:
    """The name written from its parts."""
    return "".join(name_pieces(parts))


def parse_registered_name(full_name: str, region_names: frozenset[str], home: str) -> NameParts:
    """Split a registered name; `home` is the company's city, used when no region is written."""
    rest = full_name
    form = next((f for f in _FORM_PARSE if rest.endswith(f) and len(rest) > len(f) + 1), "")
    rest = rest[: len(rest) - len(form)]
    region, written, style = home, "", "none"
    for size in (4, 3, 2):  # place names are 2-4 characters once 省/市 is dropped
        name = rest[:size]
        if name in region_names:
            written = name + rest[size] if rest[size : size + 1] in ("市", "省") else name
            if len(rest) - len(written) >= 2:
                region, style = name, "prefix"
                rest = rest[len(written) :]
                break
            written = ""
    word = next((w for w in _INDUSTRY_PARSE if rest.endswith(w) and len(rest) - len(w) >= 2), "")
    trade = rest[: len(rest) - len(word)]
    return NameParts(region, written, style, trade, word, form)


def needs_gb18030(text: str) -> bool:
    """True when `text` has characters GBK lacks (CJK extension A and beyond the BMP)."""
    return any(0x3400 <= ord(ch) <= 0x4DBF or ord(ch) > 0xFFFF for ch in text)


def clean_short_name(short_name: str) -> str:
    """Listed short name as a rep writes it: no 'ST'/'*ST' prefix, no A/B or -U suffix."""
    name = short_name.replace(" ", "")
    for prefix in ("*ST", "ST", "PT"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            name = name[len(prefix) :]
    for suffix in ("-UWD", "-UW", "-WD", "-U", "-W", "A", "B"):  # share classes, STAR-market marks
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name
