"""Contacts and identifiers: Chinese person names, their e-mail addresses, credit codes.

The surname and given-name lists are written here by hand (common characters, not taken from
the project's generator); credit codes carry valid GB 11714 and GB 32100 check characters.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pypinyin import lazy_pinyin
from stdnum.cn import uscc

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲文辉建国鹏宇浩然子轩梓涵欣怡雨萱思远"
    "博文一鸣晨晓婷佳琪嘉欣志强海燕丹凯俊峰雪梅春燕立新永健松林雯琳慧颖倩瑶昊天泽宁佳乐心怡诗雨睿哲"
)
FREE_MAIL_PROVIDERS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com")


@dataclass(frozen=True)
class Person:
    name: str
    mobile: str
    email: str


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def company_email(rng: random.Random, name: str, domain: str) -> str:
    """An address on the company's domain in one of the usual patterns."""
    syllables = lazy_pinyin(name)
    surname, given = syllables[0], "".join(syllables[1:])
    local = rng.choice((
        f"{given}.{surname}", f"{surname}{given}", f"{surname}.{given}",
        surname + "".join(s[0] for s in syllables[1:]), "".join(s[0] for s in syllables),
    ))
    return f"{local}@{domain}"


def free_email(rng: random.Random, name: str) -> str:
    """A consumer mailbox: QQ numbers or pinyin with digits."""
    provider = rng.choice(FREE_MAIL_PROVIDERS)
    if provider == "qq.com":
        return f"{rng.randrange(10**5, 10**10)}@qq.com"
    return f"{''.join(lazy_pinyin(name))}{rng.randrange(1970, 2005)}@{provider}"


def _org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its check character."""
    body = f"{rng.randrange(10**8):08d}"
    total = sum(int(d) * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, county: str) -> str:
    """A unified social credit code for an enterprise (91) registered in `county` (6 digits)."""
    stem = "91" + county + _org_code(rng)
    return uscc.validate(stem + uscc.calc_check_digit(stem))
