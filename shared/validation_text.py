"""Validation errors in the words users read: pydantic's English messages put into Chinese.

The HTTP 422 answers and the field errors of a refused event (`demand_rejected`) both come from
pydantic's error list; its `type` and `ctx` say what was wrong, and this module says it in
Simplified Chinese. A message a validator raised in Chinese already is kept as it is (without
pydantic's "Value error, " prefix); an error type not listed below gets a general sentence that
still names the type, so nothing is answered in English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_CJK = re.compile(r"[\u3400-\u9fff]")
_PREFIXES = ("Value error, ", "Assertion failed, ")

# pydantic v2 error type → message; `{name}` is filled from the error's ctx.
_MESSAGES: dict[str, str] = {
    "missing": "必填项，不能缺少",
    "extra_forbidden": "不接受此字段",
    "string_type": "应为文本",
    "string_too_short": "文本过短：至少 {min_length} 个字符",
    "string_too_long": "文本过长：至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_unicode": "应为有效的 Unicode 文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数部分",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "数字位数过多：至多 {max_digits} 位",
    "decimal_max_places": "小数位数过多：至多 {decimal_places} 位",
    "decimal_whole_digits": "整数部分位数过多：至多 {whole_digits} 位",
    "finite_number": "应为有限的数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期，不能带时刻",
    "date_past": "应为过去的日期",
    "date_future": "应为将来的日期",
    "datetime_type": "应为时间（RFC 3339，如 2026-01-01T09:00:00+08:00）",
    "datetime_parsing": "应为时间（RFC 3339，如 2026-01-01T09:00:00+08:00）",
    "datetime_from_date_parsing": "应为时间（RFC 3339，如 2026-01-01T09:00:00+08:00）",
    "timezone_aware": "时间须带时区",
    "timezone_naive": "时间不能带时区",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "uuid_version": "UUID 版本不符",
    "url_type": "应为网址",
    "url_parsing": "应为有效的网址",
    "url_scheme": "网址协议应为 {expected_schemes}",
    "url_too_long": "网址过长：至多 {max_length} 个字符",
    "value_error": "取值无效",
    "assertion_error": "取值无效",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dataclass_type": "应为对象",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "too_short": "项数过少：至少 {min_length} 项",
    "too_long": "项数过多：至多 {max_length} 项",
    "json_invalid": "不是有效的 JSON",
    "json_type": "应为 JSON 文本",
    "bytes_type": "应为字节串",
    "none_required": "应为空（null）",
    "union_tag_invalid": "类型标记无效",
    "union_tag_not_found": "缺少类型标记",
    "frozen_field": "此字段不可修改",
    "frozen_instance": "不可修改",
    "value_error.email": "应为有效的电子邮件地址",
}


def chinese(error: Mapping[str, Any]) -> str:
    """The Chinese message of one pydantic error (an item of `ValidationError.errors()`)."""
    msg = str(error.get("msg", ""))
    for prefix in _PREFIXES:
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if _CJK.search(msg):
        return msg
    kind = str(error.get("type", ""))
    if kind == "value_error" and "email" in msg.lower():
        kind = "value_error.email"
    template = _MESSAGES.get(kind)
    if template is None:
        return f"取值无效（{kind or '未知错误'}）"
    ctx = {k: _shown(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template.split("：", 1)[0]


def _shown(value: Any) -> str:
    text = str(value)
    return text.replace(" or ", "、").replace("'", "")


def translated(errors: list[Any]) -> list[dict[str, Any]]:
    """pydantic/FastAPI error items with `msg` in Chinese (the rest kept: loc, type, input, ctx)."""
    out = []
    for err in errors:
        item = dict(err)
        item["msg"] = chinese(item)
        item.pop("url", None)
        if isinstance(item.get("ctx"), Mapping):
            item["ctx"] = {k: _shown(v) if isinstance(v, BaseException) else v for k, v in item["ctx"].items()}
        out.append(item)
    return out
