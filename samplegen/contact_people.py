"""Contact people of a company: names, unique mobiles, e-mail addresses, and landlines."""

from __future__ import annotations

import random
from dataclasses import dataclass

from samplegen.phonetics import Phonetics
from samplegen.sampling import weighted_pool

# Surnames with their readings spelled out: several (曾, 单, 解) are polyphones as characters.
_SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"),
    ("袁", "yuan"), ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"), ("于", "yu"), ("杜", "du"),
    ("叶", "ye"), ("程", "cheng"), ("魏", "wei"), ("苏", "su"), ("吕", "lv"), ("丁", "ding"),
    ("任", "ren"), ("卢", "lu"), ("姚", "yao"), ("沈", "shen"), ("钟", "zhong"), ("姜", "jiang"),
    ("崔", "cui"), ("谭", "tan"), ("陆", "lu"), ("范", "fan"), ("汪", "wang"), ("廖", "liao"),
    ("石", "shi"), ("金", "jin"), ("贾", "jia"), ("欧阳", "ouyang"), ("单", "shan"), ("解", "xie"),
)
_SURNAME_POOL = weighted_pool(_SURNAMES, [120 // (rank + 4) for rank in range(len(_SURNAMES))])
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建文斌宇浩凯婷雪琳晨欣怡博昊子涵"
    "思雨佳俊峰亮成立新海波宁飞丹颖慧冰梅兰荣志国春林晓鑫"
)
_MOBILE_PREFIXES = (
    130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159,
    166, 176, 177, 180, 181, 182, 185, 186, 187, 188, 189, 198, 199,
)
FREE_MAIL = ("qq.com", "163.com", "126.com", "gmail.com", "sina.com", "foxmail.com")
_FREE_MAIL_POOL = weighted_pool(FREE_MAIL, (8, 5, 2, 2, 1, 2))
# Telephone area codes of the cities most companies sit in; other places get a stable made-up one.
AREA_PHONE_CODES = {
    "北京": "010", "上海": "021", "天津": "022", "重庆": "023", "广州": "020", "深圳": "0755",
    "杭州": "0571", "南京": "025", "苏州": "0512", "成都": "028", "武汉": "027", "西安": "029",
    "长沙": "0731", "郑州": "0371", "济南": "0531", "青岛": "0532", "合肥": "0551", "福州": "0591",
    "厦门": "0592", "沈阳": "024", "大连": "0411", "宁波": "0574", "无锡": "0510", "东莞": "0769",
    "佛山": "0757", "昆明": "0871", "哈尔滨": "0451", "长春": "0431", "石家庄": "0311",
    "南昌": "0791", "南宁": "0771", "贵阳": "0851", "太原": "0351", "珠海": "0756",
}


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    surname_pinyin: str
    given_pinyin: str


@dataclass(frozen=True, slots=True)
class Contact:
    """A person at a company with the mobile and e-mail they give reps."""

    name: str
    mobile: str
    email: str


def make_person(rng: random.Random, phonetics: Phonetics) -> Person:
    """A plausible Chinese personal name with its pinyin."""
    surname, surname_py = rng.choice(_SURNAME_POOL)
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.35 else 2))
    return Person(surname + given, surname_py, "".join(phonetics.char(c) for c in given))


def make_mobile(rng: random.Random, issued: set[int]) -> str:
    """An 11-digit mainland mobile number no other contact has."""
    while True:
        number = rng.choice(_MOBILE_PREFIXES) * 10**8 + rng.randrange(10**8)
        if number not in issued:
            issued.add(number)
            return str(number)


def email_local_part(person: Person, rng: random.Random) -> str:
    """zhang.wei, zhangwei, wei.zhang, zhangw or zhangwei88 - the habits of corporate IT."""
    s, g = person.surname_pinyin, person.given_pinyin
    style = rng.randrange(5)
    if style == 0:
        return f"{s}.{g}"
    if style == 1:
        return f"{s}{g}"
    if style == 2:
        return f"{g}.{s}"
    if style == 3:
        return f"{s}{g[:1]}"
    return f"{s}{g}{rng.randrange(1, 100)}"


def make_email(person: Person, domain: str, rng: random.Random) -> str:
    """Company mail on `domain` when there is one and the person uses it, else free mail."""
    if domain and rng.random() < 0.6:
        return f"{email_local_part(person, rng)}@{domain}"
    provider = rng.choice(_FREE_MAIL_POOL)
    if provider == "qq.com":
        return f"{rng.randrange(10**5, 10**10)}@qq.com"
    return f"{person.surname_pinyin}{person.given_pinyin}{rng.randrange(1, 10000)}@{provider}"


def make_contacts(
    rng: random.Random, phonetics: Phonetics, domain: str, count: int, mobiles: set[int]
) -> tuple[Contact, ...]:
    """`count` distinct people at one company."""
    contacts = []
    for _ in range(count):
        person = make_person(rng, phonetics)
        mobile = make_mobile(rng, mobiles)
        contacts.append(Contact(person.name, mobile, make_email(person, domain, rng)))
    return tuple(contacts)


def make_landline(rng: random.Random, area_code: str) -> tuple[str, str]:
    """(area code, 8-digit local number) of a company switchboard."""
    return area_code, f"{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
