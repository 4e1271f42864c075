"""Benchmark of transforms.standardise.standardise_claims on generated claims.

Builds N seeded claims about a pool of synthetic companies, each typed the many ways
reps type them (regions moved or bracketed, full width, traditional characters, spaces,
legal-form variants, branches, English names; phones in a dozen formats, shared
switchboards; free and company mail; websites with schemes and paths; credit codes with
typos), then prints rows/s, wall time and peak RSS. Not a test: run it by hand.

    PYTHONPATH=. python bench/standardise_bench.py --claims 1000000
"""

import argparse
import multiprocessing
import random
import resource
import string
import tempfile
import time

import opencc
import polars as pl
from stdnum.cn import uscc

from transforms.reference import read_reference_csv
from transforms.standardise import standardise_claims

_TO_TRADITIONAL = opencc.OpenCC("s2t")

TRADE_CHARS = (
    "华为字节跳动腾讯阿里巴巴百度京东美团小米联想海尔格力美的比亚迪长城吉利奇瑞宁德时代"
    "中兴大疆网易新浪搜狐携程顺丰圆通申通韵达万科碧桂园恒大保利招商平安光明伊利蒙牛"
    "娃哈哈康师傅统一双汇青岛燕京雪花东方明珠金地鑫源泰盛弘毅博远嘉禾瑞丰恒信宏达永泰"
    "兴隆盛世天成"
)
INDUSTRIES = (
    "科技", "信息技术", "网络科技", "电子商务", "贸易", "实业", "电子", "医药", "建设工程",
    "物流", "文化传媒", "软件", "智能装备", "新能源", "食品", "咨询", "教育科技", "环保",
)
LEGAL_FORMS = ("有限公司",) * 14 + ("股份有限公司",) * 3 + ("有限责任公司",) * 2 + ("集团有限公司",)
FORM_VARIANTS = {"有限公司": "有限责任公司", "有限责任公司": "有限公司", "股份有限公司": "股份公司"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰红梅志文斌宇浩凯鹏辉"
TITLES = ("", "", "", "总", "经理", "先生", "女士", "总经理", "工", "主任")
FREE_MAIL = ("qq.com", "163.com", "126.com", "gmail.com", "sina.com", "foxmail.com", "139.com")
# Allocated mobile prefixes (号段): random digits after them make valid numbers.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "138", "139", "150", "151", "152", "155",
    "157", "158", "159", "166", "177", "180", "182", "186", "187", "189", "199",
)
AREA_CODES = ("010", "021", "022", "023", "020", "0755", "0571", "025", "027", "028", "0512")
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
COLUMNS = ("claim_id", "company_name", "contact_name", "phone", "email", "website", "credit_code")


def _company(rng: random.Random, cities: list[str]) -> dict:
    """One synthetic company: how it is really called and reached."""
    base = f"91{rng.randrange(10**6):06d}" + "".join(rng.choices(CODE_ALPHABET, k=9))
    mobiles = [f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}" for _ in range(3)]
    return {
        "city": rng.choice(cities),
        "trade": "".join(rng.choices(TRADE_CHARS, k=rng.choice((2, 2, 3, 4)))),
        "industry": rng.choice(INDUSTRIES),
        "form": rng.choice(LEGAL_FORMS),
        "domain": "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9)))
        + rng.choice((".com", ".cn", ".com.cn", ".net")),
        "mobiles": mobiles[: rng.randint(1, 3)],
        "landline": f"{rng.choice(AREA_CODES)}{rng.randint(2, 8)}{rng.randrange(10**6, 10**7)}",
        "code": base + uscc.calc_check_digit(base),
    }


def _name(rng: random.Random, c: dict) -> str:
    """The company name as one rep typed it."""
    city, short_city = c["city"], c["city"].removesuffix("市")
    trade, industry, form = c["trade"], c["industry"], c["form"]
    roll = rng.random()
    if roll < 0.45:
        return f"{city}{trade}{industry}{form}"
    if roll < 0.60:
        return f"{trade}（{short_city}）{industry}{form}"
    if roll < 0.68:
        return f"{trade}({short_city}){industry}{form}"
    if roll < 0.76:
        return f"{trade}{industry}{FORM_VARIANTS.get(form, form)}"
    if roll < 0.82:
        return _TO_TRADITIONAL.convert(f"{short_city}{trade}{industry}{form}")
    if roll < 0.88:
        return f"{short_city} {trade} {industry} {form}"
    if roll < 0.93:
        return f"{trade}{industry}{form}{rng.choice(('上海', '北京', '广州'))}分公司"
    if roll < 0.96:
        return f"{c['domain'].split('.')[0].title()} Technology Co., Ltd."
    return f"{trade}{industry}"


def _phone(rng: random.Random, c: dict, switchboards: list[str]) -> str | None:
    """A phone of the company (or a shared switchboard, or junk) in one of many formats."""
    roll = rng.random()
    if roll < 0.04:
        return None
    if roll < 0.06:
        return rng.choice(switchboards)
    if roll < 0.08:
        return f"{rng.randrange(10**10, 10**11)}"
    if roll < 0.25:
        number = c["landline"]
        cut = 3 if number[:3] in AREA_CODES else 4
        area, local = number[:cut], number[cut:]
        extension = rng.randint(100, 9999)
        return rng.choice((f"({area}){local}", f"{area}-{local}", f"{area}-{local}转{extension}"))
    m = rng.choice(c["mobiles"])
    return rng.choice(
        (
            m, m, m, f"+86 {m[:3]}-{m[3:7]}-{m[7:]}", f"{m[:3]} {m[3:7]} {m[7:]}", f"86{m}",
            m.translate(FULL_WIDTH_DIGITS), f"{m}.0", f"{m}/{c['landline']}",
        )
    )


def _claim(rng: random.Random, c: dict, switchboards: list[str]) -> dict:
    """One claim about company ``c`` (without its id)."""
    given = "".join(rng.choices(GIVEN, k=rng.choice((0, 1, 2))))
    local = "".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(5, 10)))
    domain, code = c["domain"], c["code"]
    return {
        "company_name": _name(rng, c),
        "contact_name": rng.choice(SURNAMES) + given + rng.choice(TITLES),
        "phone": _phone(rng, c, switchboards),
        "email": rng.choice(
            (f"{local}@{rng.choice(FREE_MAIL)}", f"{local}@{domain}", f"{local}@{domain}".upper(), None)
        ),
        "website": rng.choice(
            (None, None, domain, f"www.{domain}", f"http://www.{domain}/", f"https://{domain}/cn")
        ),
        "credit_code": rng.choice(
            (code, code, code.lower(), f"{code[:6]} {code[6:]}", code[:-1] + "0", None, None, "无")
        ),
    }


def _claims(n: int, seed: int) -> pl.DataFrame:
    """``n`` claims about n/6 companies, a few of them (30 % of claims) heavily claimed."""
    rng = random.Random(seed)
    cities = [row["name"] for row in read_reference_csv("divisions/cities.csv")]
    cities = [city for city in cities if city.endswith("市")]
    companies = [_company(rng, cities) for _ in range(max(1, n // 6))]
    switchboards = [
        f"400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}" for _ in range(200)
    ]
    rows: dict[str, list] = {column: [] for column in COLUMNS}
    for claim_id in range(n):
        if rng.random() < 0.3:
            company = companies[min(int(rng.paretovariate(1.2)) - 1, len(companies) - 1)]
        else:
            company = rng.choice(companies)
        rows["claim_id"].append(f"C{claim_id:08d}")
        for column, value in _claim(rng, company, switchboards).items():
            rows[column].append(value)
    return pl.DataFrame(rows)


def _write_claims(n: int, seed: int, path: str) -> None:
    _claims(n, seed).write_parquet(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    # Generate in a separate process so the peak RSS below is that of standardisation
    # (plus reading the claims), not of the generator's Python lists.
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/claims.parquet"
        child = multiprocessing.get_context("spawn").Process(
            target=_write_claims, args=(args.claims, args.seed, path)
        )
        child.start()
        child.join()
        claims = pl.read_parquet(path)
    generated = time.perf_counter() - started
    distinct = {c: claims[c].n_unique() for c in claims.columns if c != "claim_id"}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    result = standardise_claims(claims)
    wall = time.perf_counter() - started
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"claims generated      {claims.height:,} in {generated:.1f} s (seed {args.seed})")
    print("distinct values       " + ", ".join(f"{k} {v:,}" for k, v in distinct.items()))
    print(f"standardise wall      {wall:.2f} s")
    print(f"rows per second       {claims.height / wall:,.0f}")
    print(f"peak RSS              {rss_peak:,.0f} MiB (before standardising {rss_before:,.0f} MiB)")
    print(f"distinct core names   {result['core_name'].n_unique():,}")
    valid, shared = result["phone_e164"].is_not_null().sum(), result["is_shared_phone"].sum()
    print(f"valid phones          {valid:,}, on shared numbers {shared:,}")
    print(f"invalid credit codes  {result['has_invalid_credit_code'].sum():,}")


if __name__ == "__main__":
    main()
