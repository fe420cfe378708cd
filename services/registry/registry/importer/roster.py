"""Reading a roster CSV (UTF-8, Chinese or English headers) into registration/filing commands.

Pure: bytes or a binary file in, commands and row errors out. A file is read as a stream:
decoded and parsed row by row, so memory does not grow with its size. Row numbers are
spreadsheet rows: the header is row 1, the first organisation row 2.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO, TypeVar

from registry.domain.organisation import Filing, Registration
from shared.contracts.registry import Contact
from shared.reference import DOMAIN_NAMES, ORG_TYPE_NAMES, STREETS, Domain, OrgType

HEADERS: dict[str, str] = {
    "名称": "name",
    "组织名称": "name",
    "name": "name",
    "类型": "org_type",
    "组织类型": "org_type",
    "type": "org_type",
    "org_type": "org_type",
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "credit_code": "credit_code",
    "登记日期": "registered_on",
    "成立登记日期": "registered_on",
    "registered_on": "registered_on",
    "备案日期": "filed_on",
    "filed_on": "filed_on",
    "街道": "street",
    "所属街道": "street",
    "street": "street",
    "street_code": "street",
    "社区": "community",
    "community": "community",
    "业务领域": "domains",
    "服务领域": "domains",
    "domains": "domains",
    "domain": "domains",
    "联系人": "contact_name",
    "contact_name": "contact_name",
    "邮箱": "email",
    "电子邮箱": "email",
    "email": "email",
    "电话": "phone",
    "联系电话": "phone",
    "phone": "phone",
    "平台": "platform_code",
    "平台代码": "platform_code",
    "platform_code": "platform_code",
    "支持单位统一社会信用代码": "sponsor_credit_code",
    "支持单位信用代码": "sponsor_credit_code",
    "sponsor_credit_code": "sponsor_credit_code",
}
REQUIRED = ("name", "org_type")

_TYPE_ALIASES: dict[str, OrgType] = {
    **{v: OrgType(k) for k, v in ORG_TYPE_NAMES.items()},
    **{t.value: t for t in OrgType},
    "社团": OrgType.SOCIAL_ASSOCIATION,
    "民非": OrgType.PRIVATE_NON_ENTERPRISE,
    "社会服务机构": OrgType.PRIVATE_NON_ENTERPRISE,
    "社区组织": OrgType.COMMUNITY_ORG,
}
_DOMAIN_ALIASES: dict[str, Domain] = {
    **{v: Domain(k) for k, v in DOMAIN_NAMES.items()},
    **{d.value: d for d in Domain},
    "居家养老": Domain.ELDER_CARE,
    "养老": Domain.ELDER_CARE,
    "垃圾分类": Domain.ENVIRONMENT,
    "环保": Domain.ENVIRONMENT,
    "文体活动": Domain.CULTURE_SPORTS,
    "青少年服务": Domain.YOUTH,
    "慈善": Domain.CHARITY,
}
_STREET_BY_NAME: dict[str, str] = {
    **{name: code for code, name in STREETS.items()},
    **{name.removesuffix("街道"): code for code, name in STREETS.items()},
}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_SPLIT = re.compile(r"[;；,，、|/\s]+")
_NO_CONTACT = Contact()
T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """Why a roster row was not imported."""

    row: int
    field: str
    reason: str


@dataclass(frozen=True)
class RosterRow:
    row: int
    command: Registration | Filing


def header_map(header: list[str]) -> tuple[dict[int, str], list[RowError]]:
    """Column index → field; unknown columns are ignored, a missing required one is an error."""
    columns: dict[int, str] = {}
    for i, raw in enumerate(header):
        key = raw.strip().lstrip("\ufeff")
        name = HEADERS.get(key) or HEADERS.get(key.lower())
        if name is not None and name not in columns.values():
            columns[i] = name
    missing = [f for f in REQUIRED if f not in columns.values()]
    return columns, [RowError(1, f, "缺少必需的列（如 名称、类型）") for f in missing]


def parse_date(text: str) -> date:
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)  # the common case, much faster than strptime
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"无法识别的日期 {text!r}：请用 YYYY-MM-DD")


def _street(text: str) -> str:
    if text in STREETS:
        return text
    code = _STREET_BY_NAME.get(text)
    if code is None:
        raise ValueError(f"未知街道 {text!r}：应为东城区17个街道的名称或代码")
    return code


def _domains(text: str) -> tuple[Domain, ...]:
    out = []
    for part in (p for p in _SPLIT.split(text) if p):
        domain = _DOMAIN_ALIASES.get(part) or _DOMAIN_ALIASES.get(part.lower())
        if domain is None:
            raise ValueError(f"未知业务领域 {part!r}")
        out.append(domain)
    return tuple(out)


@dataclass(slots=True)
class _Cells:
    """One row's cells by field, and the errors found in them so far."""

    row_no: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def take(self, name: str, parse: Callable[[str], T]) -> T | None:
        """The cell parsed, None when empty; a cell that does not parse is an error of the row."""
        text = self.text(name)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            self.error(name, str(exc))
            return None

    def error(self, name: str, reason: str) -> None:
        self.errors.append(RowError(self.row_no, name, reason))

    def failed(self, *names: str) -> bool:
        return any(e.field in names for e in self.errors)


@dataclass(slots=True)  # not frozen: a frozen init costs a microsecond a row
class _Common:
    """The cells a registration and a filing share, parsed."""

    name: str
    street: str | None
    domains: tuple[Domain, ...]
    registered_on: date | None
    filed_on: date | None
    contact: Contact
    platform_code: str | None
    sponsor_code: str | None


def parse_row(row_no: int, values: dict[str, str]) -> RosterRow | list[RowError]:
    """One roster row as a command, or every field error found in it."""
    cells = _Cells(row_no, values)
    name = cells.text("name")
    if not name:
        cells.error("name", "名称不能为空")
    type_text = cells.text("org_type")
    org_type = _TYPE_ALIASES.get(type_text) or _TYPE_ALIASES.get(type_text.lower())
    if org_type is None:
        cells.error("org_type", f"未知类型 {type_text!r}：应为 社会团体、民办非企业单位、基金会 或 社区社会组织")
    common = _Common(
        name=name,
        street=cells.take("street", _street),
        domains=cells.take("domains", _domains) or (),
        registered_on=cells.take("registered_on", parse_date),
        filed_on=cells.take("filed_on", parse_date),
        contact=_contact(cells),
        platform_code=cells.text("platform_code") or None,
        sponsor_code=cells.text("sponsor_credit_code") or None,
    )
    if org_type is OrgType.COMMUNITY_ORG:
        return _filing(cells, common)
    return _registration(cells, common, org_type)


def _contact(cells: _Cells) -> Contact:
    name = cells.text("contact_name")[:100] or None
    email = cells.text("email")[:254] or None
    phone = cells.text("phone")[:40] or None
    if name is None and email is None and phone is None:
        return _NO_CONTACT  # immutable; spares a model validation per row
    return Contact(name=name, email=email, phone=phone)


def _filing(cells: _Cells, c: _Common) -> RosterRow | list[RowError]:
    community = cells.text("community")
    if c.street is None and not cells.failed("street"):
        cells.error("street", "社区社会组织必须填写街道")
    if not community:
        cells.error("community", "社区社会组织必须填写社区")
    when = c.filed_on or c.registered_on
    if when is None and not cells.failed("filed_on", "registered_on"):
        cells.error("filed_on", "社区社会组织必须填写备案日期")
    if cells.errors or c.street is None or when is None:
        return cells.errors
    filing = Filing(
        name=c.name,
        street_code=c.street,
        community=community,
        filed_on=when,
        platform_code=c.platform_code,
        domains=c.domains,
        contact=c.contact,
        sponsor_credit_code=c.sponsor_code,
    )
    return RosterRow(cells.row_no, filing)


def _registration(cells: _Cells, c: _Common, org_type: OrgType | None) -> RosterRow | list[RowError]:
    if c.sponsor_code is not None:
        cells.error("sponsor_credit_code", "只有社区社会组织填写支持单位")
    code = cells.text("credit_code")
    if not code:
        cells.error("credit_code", "登记的组织必须填写统一社会信用代码")
    if c.registered_on is None and not cells.failed("registered_on"):
        cells.error("registered_on", "登记的组织必须填写登记日期")
    if cells.errors or org_type is None or c.registered_on is None:
        return cells.errors
    registration = Registration(
        name=c.name,
        org_type=org_type,
        credit_code=code,
        registered_on=c.registered_on,
        street_code=c.street,
        platform_code=c.platform_code,
        domains=c.domains,
        contact=c.contact,
    )
    return RosterRow(cells.row_no, registration)


_CHUNK = 1024 * 1024


def is_utf8(file: BinaryIO) -> bool:
    """Whether the rest of the file decodes as UTF-8; reads it in chunks and seeks back.

    A first pass, so a file that is not UTF-8 is refused before any of its rows is imported
    (the rows themselves are read afterwards, as a stream)."""
    start = file.tell()
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(start)
    return True


def read_roster(source: bytes | BinaryIO) -> tuple[Iterator[RosterRow | list[RowError]], list[RowError]]:
    """Parse the CSV: an iterator of rows (commands or errors), and header errors (then no rows).

    `source` is the file's bytes or a seekable binary file positioned at its start; a file is
    decoded and parsed lazily, one row at a time, as the iterator is consumed (it is not
    closed here).
    """
    file: BinaryIO = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    if not is_utf8(file):
        return iter(()), [RowError(1, "(file)", "文件不是 UTF-8 编码（请另存为 CSV UTF-8）")]
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        text.detach()
        return iter(()), [RowError(1, "(file)", f"表头无法读取：{csv_reason(exc)}")]
    if header is None:
        text.detach()
        return iter(()), [RowError(1, "(file)", "文件为空")]
    columns, errors = header_map(header)
    if errors:
        text.detach()
        return iter(()), errors
    return _rows(reader, text, sorted(columns.items())), []


def _rows(
    reader: Iterator[list[str]], text: io.TextIOWrapper, wanted: list[tuple[int, str]]
) -> Iterator[RosterRow | list[RowError]]:
    """Every row after the header as a command or its errors; a row that cannot be read at all
    (a cell over the csv module's field limit, a NUL character) is a row error, never the end of
    the import. Row n is the n-th CSV record (a spreadsheet row). After a cell over the limit
    inside a quoted multi-line value the csv module resumes at the next line, so the rest of that
    value may come out as rows of its own; they are reported like any bad row."""
    try:
        for n in itertools.count(2):
            try:
                raw = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield [RowError(n, "(row)", f"此行无法读取，未导入：{csv_reason(exc)}")]
                continue
            if "\x00" in "".join(raw):  # PostgreSQL cannot store it: the whole batch would fail (0.4 µs a row)
                yield [RowError(n, "(row)", "此行含有空字符（NUL），未导入")]
            elif any(cell.strip() for cell in raw):
                yield _parse_or_refuse(n, {name: raw[i] for i, name in wanted if i < len(raw)})
    finally:
        text.detach()  # leave the caller's file open


def _parse_or_refuse(row_no: int, values: dict[str, str]) -> RosterRow | list[RowError]:
    try:
        return parse_row(row_no, values)
    except Exception as exc:  # whatever a row holds, it must not end the import
        return [RowError(row_no, "(row)", f"此行无法解析，未导入：{type(exc).__name__}: {str(exc)[:200]}")]


def csv_reason(exc: csv.Error) -> str:
    """Why the csv module could not read a record, for people (its messages are English)."""
    message = str(exc)
    if "field larger than field limit" in message:
        return f"有单元格超过 {csv.field_size_limit():,} 个字符的上限"
    if "new-line character seen in unquoted field" in message:
        return "未加引号的单元格中有换行符"
    return f"CSV 格式错误（{message[:200]}）"
