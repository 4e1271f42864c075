"""What a rep asks `recon lookup` / serve-lookup: the query's fields, checked before any lookup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MAX_NAME_CHARS = 200
MAX_FIELD_CHARS = 100
MAX_TOP = 50
QUERY_FIELDS = ("name", "phone", "email", "credit_code", "top")


class QueryError(ValueError):
    """A query that cannot be answered, with the reason in Chinese and in English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class LookupQuery:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    credit_code: str | None = None
    top: int = 5


def parse_query(params: Mapping[str, object]) -> LookupQuery:
    """A validated query from form or JSON fields (name, phone, email, credit_code, top)."""
    unknown = sorted(set(params) - set(QUERY_FIELDS))
    if unknown:
        raise QueryError(f"不认识的参数：{', '.join(unknown)}", f"unknown parameter(s): {', '.join(unknown)}; "
                         f"use {', '.join(QUERY_FIELDS)}")
    texts = {}
    for field in ("name", "phone", "email", "credit_code"):
        value = params.get(field)
        if value is not None and not isinstance(value, str):
            raise QueryError(f"{field} 必须是文字", f"{field} must be text")
        value = (value or "").strip() or None
        if value and not _is_unicode(value):
            # a JSON "\ud800", or bytes that are not UTF-8 on the command line: nothing to look up
            raise QueryError(f"{field} 含有无效字符", f"{field} is not valid Unicode text (a lone surrogate)")
        limit = MAX_NAME_CHARS if field == "name" else MAX_FIELD_CHARS
        if value and len(value) > limit:
            raise QueryError(f"{field} 过长（最多 {limit} 个字符）",
                             f"{field} is too long (at most {limit} characters)")
        texts[field] = value
    if isinstance(params.get("name"), str) and texts["name"] is None:
        # a form that sends the name field blank has a bug or an empty box: say so, do not guess
        raise QueryError("公司名称为空", "the company name is empty; leave the name out to search by phone, "
                         "e-mail or credit code alone")
    if not any(texts.values()):
        raise QueryError("请输入公司名称（或电话、邮箱、信用代码）",
                         "a company name is required (or a phone, e-mail or credit code)")
    return LookupQuery(**texts, top=_top(params.get("top", 5)))


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _top(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_TOP:
        raise QueryError(f"top 必须是 1 到 {MAX_TOP} 之间的整数", f"top must be a whole number from 1 to {MAX_TOP}")
    return value
