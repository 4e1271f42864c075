"""A small warehouse for the lookup tests, built by the real nightly flow.

A few known customers (one owned per team, one in the public pool, a group with a sister
company) among 2,500 filler claims of distinct made-up companies. The fillers are there so
that term frequencies are realistic: in a warehouse of ten claims every trade name looks
common and the model's term-frequency adjustment rightly weakens every name match.
"""

from __future__ import annotations

import random

BYTEDANCE_CODE = "91110108MA01ABCDEN"
HUAWEI_CODE = "914403001922038216"
# contact details of known customers: no lookup answer may ever show one
CONTACT_DETAILS = ("张三", "王五", "钱七", "13800138000", "+8613800138000", "zhangsan@bytedance.com",
                   "wangwu@huawei.com", "075528780808", "+8675528780808", "qianqi@guanghua-pharma.cn", "13600136000")

KNOWN_FORM_ROWS = [
    ["WF-0001", "2026-11-20 09:15:00", "S001", "王磊", "北京字节跳动科技有限公司", "张三", "13800138000",
     "zhangsan@bytedance.com", "https://www.bytedance.com/", BYTEDANCE_CODE, "A类（明确购买意向）", "互联网", ""],
    ["WF-0002", "2026-11-21 10:00:00", "S003", "陈静", "光华医药有限公司", "钱七", "13600136000",
     "qianqi@guanghua-pharma.cn", "", "", "B类（有明确采购计划）", "医药", ""],
    ["WF-0003", "2026-06-01 10:00:00", "S002", "李娜", "苏州明远精密机械有限公司", "", "", "", "", "",
     "C类（可能有采购计划）", "制造", ""],
]
KNOWN_CRM_ROWS = [
    ["L-0001", "2026-11-22T14:02:11+08:00", "S003", "陈静", "华为技术有限公司", "王五", "0755-28780808",
     "wangwu@huawei.com", "huawei.com", HUAWEI_CODE, "C类-可能有计划", "通信设备", ""],
]

_FILLER_CHARS = "安百晨德恩方恒嘉锦凯蓝磊茂宁鹏沁瑞森泰拓维翔昕雅逸卓峰冠禾弘汇骏朗铭诺启荣盛通兴耀源振志"
_FILLER_WORDS = ("贸易", "咨询", "物流", "电子", "建材", "餐饮", "文化", "印务")
_REPS = (("S001", "王磊"), ("S002", "李娜"), ("S003", "陈静"))


def filler_rows(count: int = 2500, seed: int = 7) -> list[list[str]]:
    """Form rows of `count` distinct made-up companies, none sharing a trade name."""
    rng = random.Random(seed)
    trades: set[str] = set()
    while len(trades) < count:
        trades.add("".join(rng.sample(_FILLER_CHARS, 3)))
    rows = []
    for i, trade in enumerate(sorted(trades)):
        rep_id, rep_name = _REPS[i % 3]
        day = 1 + i % 28
        rows.append([f"WF-F{i:05d}", f"2026-10-{day:02d} 10:00:00", rep_id, rep_name,
                     f"{trade}{rng.choice(_FILLER_WORDS)}有限公司", "", "", "", "", "",
                     "C类（可能有采购计划）", "", ""])
    return rows
