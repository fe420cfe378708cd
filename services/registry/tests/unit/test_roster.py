"""Reading roster CSVs: Chinese and English headers, every field checked, spreadsheet row numbers."""

from __future__ import annotations

import io
from datetime import date

from registry.domain.organisation import Filing, Registration
from registry.domain.uscc import make_code
from registry.importer.roster import RosterRow, read_roster
from shared.reference import Domain, OrgType

CODE = make_code("51", "110101", "MJ000001")
CODE_52 = make_code("52", "110101", "MJ000002")


def parse(text: str):
    rows, header_errors = read_roster(text.encode("utf-8"))
    return list(rows), header_errors


def test_chinese_headers_names_and_dates_become_a_registration():
    rows, errors = parse(
        "\ufeff名称,类型,统一社会信用代码,登记日期,街道,业务领域\n"
        f"东四文体协会,社团,{CODE},2007年5月8日,东四,文体、为老服务\n"
    )
    assert errors == []
    (row,) = rows
    assert isinstance(row, RosterRow) and row.row == 2
    cmd = row.command
    assert isinstance(cmd, Registration)
    assert (cmd.org_type, cmd.credit_code, cmd.registered_on, cmd.street_code) == (
        OrgType.SOCIAL_ASSOCIATION,
        CODE,
        date(2007, 5, 8),
        "110101006",
    )
    assert cmd.domains == (Domain.CULTURE_SPORTS, Domain.ELDER_CARE)


def test_english_headers_and_community_orgs_become_filings():
    rows, _ = parse(
        "name,type,street_code,community,filed_on,domains\n"
        "Minan helpers,community_org,110101005,民安社区,2019-03-15,mutual_aid\n"
    )
    cmd = rows[0].command
    assert isinstance(cmd, Filing) and cmd.community == "民安社区" and cmd.filed_on == date(2019, 3, 15)


def test_every_bad_field_of_a_row_is_reported_with_its_row_number():
    rows, _ = parse(
        "名称,类型,统一社会信用代码,登记日期,街道,业务领域\n"
        f"好的,民非,{CODE},2010-01-01,,\n"
        ",外星组织,,明天,火星街道,星际旅行\n"
    )
    bad = rows[1]
    assert isinstance(bad, list)
    assert {(e.row, e.field) for e in bad} == {
        (3, "name"),
        (3, "org_type"),
        (3, "credit_code"),
        (3, "registered_on"),
        (3, "street"),
        (3, "domains"),
    }


def test_a_file_without_the_required_columns_is_refused_at_the_header():
    rows, errors = parse("统一社会信用代码,登记日期\nx,y\n")
    assert rows == [] and {e.field for e in errors} == {"name", "org_type"}


def test_a_file_that_is_not_utf8_is_refused():
    rows, errors = read_roster("名称,类型\n".encode("gbk"))
    assert list(rows) == [] and errors[0].field == "(file)"


class RecordingFile(io.BytesIO):
    """A binary file that remembers the size of every read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.reads.append(len(chunk))
        return chunk

    def read1(self, size: int = -1) -> bytes:
        chunk = super().read1(size)
        self.reads.append(len(chunk))
        return chunk


def big_file(n: int) -> bytes:
    lines = ["名称,类型,统一社会信用代码,登记日期,街道"]
    lines += [f"组织{i},社团,{make_code('51', '110101', f'MJ{i:06d}')},2010-01-01,东四" for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_file_is_parsed_as_a_stream_in_chunks_and_left_open():
    data = big_file(30_000)  # ~1.7 MB
    f = RecordingFile(data)
    rows, errors = read_roster(f)
    assert errors == []
    first = next(rows)
    assert isinstance(first, RosterRow) and first.row == 2
    # One row parsed: only the first chunk(s) of the file have been read since the UTF-8 pass.
    assert f.tell() < len(data) // 10
    rest = list(rows)
    assert len(rest) == 29_999 and rest[-1].row == 30_001
    assert max(f.reads) <= 1024 * 1024 and not f.closed
    assert [r.command for r in rest[:3]] == [r.command for r in list(read_roster(data)[0])[1:4]]


def test_a_file_with_a_bad_byte_after_the_first_megabyte_is_refused_before_any_row():
    data = big_file(30_000)
    at = len(data) - 100
    f = io.BytesIO(data[:at] + b"\xff" + data[at + 1 :])
    rows, errors = read_roster(f)
    assert list(rows) == [] and [(e.row, e.field) for e in errors] == [(1, "(file)")]


def test_a_bom_and_crlf_line_ends_are_read_from_a_file_too():
    f = io.BytesIO(f"\ufeff名称,类型,统一社会信用代码,登记日期\r\n好的,民非,{CODE_52},2010-01-01\r\n".encode())
    rows, errors = read_roster(f)
    assert errors == [] and [r.row for r in rows] == [2]


def test_a_row_the_parser_chokes_on_is_a_row_error_and_the_next_rows_are_read(monkeypatch):
    import registry.importer.roster as roster

    real = roster.parse_row

    def choking(row_no, values):
        if values["name"] == "坏行":
            raise KeyError("unexpected")
        return real(row_no, values)

    monkeypatch.setattr(roster, "parse_row", choking)
    rows, errors = parse(
        f"名称,类型,统一社会信用代码,登记日期\n坏行,民非,{CODE_52},2020-01-01\n好行,民非,{CODE_52},2020-01-01\n"
    )
    assert errors == []
    assert [r if isinstance(r, list) else r.row for r in rows] == [
        [roster.RowError(2, "(row)", "此行无法解析，未导入：KeyError: 'unexpected'")],
        3,
    ]


def test_a_cell_over_the_field_limit_inside_a_multiline_value_leaves_the_rows_after_it_readable():
    import csv

    huge = "第一行\n" + "备" * (csv.field_size_limit() + 1) + "\n末行"
    text = f'名称,类型,统一社会信用代码,登记日期\n"{huge}",民非,{CODE_52},2020-01-01\n好行,民非,{CODE_52},2020-01-01\n'
    rows, errors = parse(text)
    assert errors == []
    bad, *rest = rows
    assert isinstance(bad, list) and bad[0].row == 2 and bad[0].field == "(row)"
    # The value's last line comes out as a row of its own (the csv module resumes at the next line);
    # it is rejected like any bad row, and the real next row is read.
    assert any(isinstance(r, RosterRow) and r.command.name == "好行" for r in rest)
    assert all(isinstance(r, RosterRow) or r[0].field != "(file)" for r in rest)
