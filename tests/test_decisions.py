"""The review loop (issue 20, SPEC §3.4 "Decisions", §4, S309, O408): the officer's
复核结论 in the workbook, read back by `ledger add --decisions`, recorded in the ledger, and
what the next batch is judged against. Every test goes through the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from tests.conftest import id_for
from tests.test_cli import run
from tests.test_reader import HEADERS, ROW, write_csv

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROVIDER = ["统一社会信用代码", "培训机构"]
X_CODE, X_NAME = "52320594MJ58661232", "苏州某某职业培训学校"


def claim(n: int, **fields: str) -> list[str]:
    """Row n: person n in class C<n> at provider X; fields by header override."""
    row = dict(zip(HEADERS, ROW, strict=True))
    row.update(
        {
            "公民身份号码": id_for("1990-01-01", serial=n),
            "班级编号": f"C{n}",
            "姓名": f"学员{n}",
            PROVIDER[0]: X_CODE,
            PROVIDER[1]: X_NAME,
        }
    )
    row.update(fields)
    return [row[h] for h in [*HEADERS, *PROVIDER]]


SHORT = {"线上课时": "5", "线下课时": "10", "申领金额": "375"}  # T201: 15 hours (reject)
OVER = {"申领金额": "900"}  # S301: above 15/30 yuan an hour (reject, not training delivery)
# P106 on a person seen under another name (review); another project, so no S305
REVIEW = {"姓名": "别名", "项目编号": "P8"}


def batch(path: Path, rows: list[list[str]]) -> Path:
    return write_csv(path, [[*HEADERS, *PROVIDER], *rows])


def workbook(claims: Path) -> Path:
    return claims.with_name(f"{claims.stem}.exceptions.xlsx")


def check(claims: Path, ledger: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    out = claims.with_name(f"{claims.stem}.exceptions.json")
    proc = run(
        "check", str(claims), "--ledger", str(ledger), "-o", str(workbook(claims)),
        "--json", str(out), "--fail-on", "never", *extra,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc, json.loads(out.read_text(encoding="utf-8"))


def add(claims: Path, ledger: Path, *extra: str) -> subprocess.CompletedProcess:
    return run("ledger", "add", str(claims), "--ledger", str(ledger), *extra)


def codes(document: dict) -> set[tuple[str, int]]:
    return {(e["code"], e["source_row"]) for e in document["exceptions"]}


def decide(workbook: Path, out: Path, decisions: dict[int, tuple[str, str, str]]) -> Path:
    """Fill 复核结论, 复核说明, 复核人 by source row, as an officer does in a spreadsheet
    program (openpyxl: it rewrites styles and widths like one)."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["申领审核"]
    header = [c.value for c in sheet[1]]
    at = {name: header.index(name) for name in ("来源行", "复核结论", "复核说明", "复核人")}
    for row in sheet.iter_rows(min_row=2):
        wanted = decisions.get(row[at["来源行"]].value)
        if wanted:
            for name, value in zip(("复核结论", "复核说明", "复核人"), wanted, strict=True):
                row[at[name]].value = value or None
    book.save(out)
    return out


def ledger_frame(ledger: Path) -> pl.DataFrame:
    return pl.read_parquet(ledger / "year=*/*.parquet").sort("batch_id", "source_row")


# ---- the workbook's decision columns -----------------------------------------------------
def test_the_claims_sheet_ends_with_the_officers_columns(tmp_path):
    claims = batch(tmp_path / "b.csv", [claim(1), claim(2, **SHORT)])
    check(claims, tmp_path / "l")
    sheet = openpyxl.load_workbook(workbook(claims))["申领审核"]
    header = [c.value for c in sheet[1]]
    assert header[-3:] == ["复核结论", "复核说明", "复核人"]
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"通过,退回"'
    column = openpyxl.utils.get_column_letter(len(header) - 2)
    assert str(validation.sqref) == f"{column}2:{column}3"
    assert "退回改为通过须在“复核说明”写明理由" in sheet.cell(1, len(header) - 2).comment.text
    assert sheet.column_dimensions[column].width > 0
    assert all(sheet.cell(r, len(header)).value is None for r in (2, 3))  # empty


# ---- decisions recorded ----------------------------------------------------------------
def test_decisions_are_recorded_with_who_and_why(tmp_path):
    ledger = tmp_path / "l"
    rows = [
        claim(1),
        claim(2, **SHORT),
        claim(3, **SHORT),
        claim(4),
        claim(4, **REVIEW, 班级编号="C9"),
    ]
    claims = batch(tmp_path / "b.csv", rows)
    _, document = check(claims, ledger)
    assert {("P106", 5), ("P106", 6)} <= codes(document) and ("T201", 3) in codes(document)
    reviewed = decide(
        workbook(claims),
        tmp_path / "复核后.xlsx",
        {
            2: ("", "", ""),  # a pass left empty: paid as the rules said
            3: ("通过", "补交了线下签到表", "王科长"),  # a return overturned, with a note
            4: ("", "", ""),  # a return left empty: returned
            5: ("通过", "", "王科长"),  # review: paid
            6: ("退回", "同一人两个姓名", "李会计"),  # review: returned
        },
    )
    proc = add(claims, ledger, "--decisions", str(reviewed))
    assert proc.returncode == 0, proc.stderr
    assert "通过 / paid 3 笔，退回 / returned 2 笔" in proc.stdout
    assert "复核人决定 3 笔，其中改判 1 笔" in proc.stdout
    frame = ledger_frame(ledger)
    assert frame["decision"].to_list() == ["pass", "pass", "reject", "pass", "reject"]
    assert frame["decided_by"].to_list() == ["rules", "officer", "rules", "officer", "officer"]
    assert frame["reviewer"].to_list() == [None, "王科长", None, "王科长", "李会计"]
    assert frame["decision_note"][1] == "补交了线下签到表"
    assert frame["codes"][1] == "T201" and frame["verdict"][1] == "reject"
    assert set(frame["decisions_sha256"]) == {
        __import__("hashlib").sha256(reviewed.read_bytes()).hexdigest()
    }
    [entry] = json.loads(run("ledger", "list", "--ledger", str(ledger), "--json").stdout)
    assert (entry["paid"], entry["returned"], entry["decided_by_officer"]) == (3, 2, 3)
    assert entry["changed_by_officer"] == 1 and entry["paid_amount"] == 840 + 375 + 840


@pytest.mark.parametrize("resave", ["libreoffice", "openpyxl-reshaped"])
def test_a_workbook_saved_again_by_an_office_suite_is_read(tmp_path, resave):
    ledger = tmp_path / "l"
    claims = batch(tmp_path / "b.csv", [claim(1), claim(2, **REVIEW, 班级编号="C8"), claim(2)])
    check(claims, ledger)
    filled = decide(workbook(claims), tmp_path / "filled.xlsx", {3: ("退回", "", "王")})
    filled = decide(filled, filled, {4: ("通过", "", "王")})
    if resave == "libreoffice":
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None:
            pytest.skip("LibreOffice is installed by .ci/run")
        out = tmp_path / "saved"
        subprocess.run(
            [soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(filled)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        reviewed = out / "filled.xlsx"
    else:
        # sorted by verdict, a row hidden, a filter, widths and a sheet of notes added
        book = openpyxl.load_workbook(filled)
        sheet = book["申领审核"]
        rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
        rows.sort(key=lambda r: str(r[1]), reverse=True)
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                sheet.cell(r, c).value = value
        sheet.row_dimensions[3].hidden = True
        sheet.auto_filter.ref = sheet.dimensions
        sheet.column_dimensions["B"].width = 40
        book.create_sheet("我的备注").append(["已电话核实"])
        reviewed = tmp_path / "reshaped.xlsx"
        book.save(reviewed)
    proc = add(claims, ledger, "--decisions", str(reviewed))
    assert proc.returncode == 0, proc.stderr
    frame = ledger_frame(ledger)
    assert frame["decision"].to_list() == ["pass", "reject", "pass"]


# ---- refusals: exit 2, the rows listed, nothing recorded ----------------------------------
def _refused(proc: subprocess.CompletedProcess, ledger: Path, *says: str) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("错误：") and "Traceback" not in proc.stderr
    for text in says:
        assert text in first, first
    assert not list(ledger.glob("year=*/*.parquet"))
    return first


def test_undecided_review_rows_are_refused_listing_them(tmp_path):
    ledger = tmp_path / "l"
    rows = [claim(1)] + [claim(n, **REVIEW, 班级编号=f"R{n}") for n in range(2, 27)]
    rows += [claim(n) for n in range(2, 27)]
    claims = batch(tmp_path / "b.csv", rows)
    check(claims, ledger)
    proc = add(claims, ledger, "--decisions", str(workbook(claims)))
    first = _refused(proc, ledger, "尚未填写复核结论", "共 50 行")
    assert first.count("、") == 19  # at most 20 rows listed


def test_a_return_turned_to_pass_needs_a_note(tmp_path):
    ledger = tmp_path / "l"
    claims = batch(tmp_path / "b.csv", [claim(1), claim(2, **SHORT)])
    check(claims, ledger)
    reviewed = decide(workbook(claims), tmp_path / "r.xlsx", {3: ("通过", "", "王")})
    _refused(
        add(claims, ledger, "--decisions", str(reviewed)), ledger, "没有填写复核说明", "来源行 3"
    )


def test_another_batchs_workbook_is_refused(tmp_path):
    ledger = tmp_path / "l"
    first = batch(tmp_path / "a.csv", [claim(1)])
    second = batch(tmp_path / "b.csv", [claim(1), claim(2)])
    check(first, ledger)
    proc = add(second, ledger, "--decisions", str(workbook(first)))
    _refused(proc, ledger, "不是本批次的")


@pytest.mark.parametrize("change", ["row deleted", "identity changed", "unknown decision"])
def test_rows_missing_or_changed_are_refused(tmp_path, change):
    ledger = tmp_path / "l"
    claims = batch(tmp_path / "b.csv", [claim(1), claim(2), claim(3)])
    check(claims, ledger)
    book = openpyxl.load_workbook(workbook(claims))
    sheet = book["申领审核"]
    header = [c.value for c in sheet[1]]
    if change == "row deleted":
        sheet.delete_rows(3)
        says = ("缺失", "来源行 3")
    elif change == "identity changed":
        sheet.cell(3, header.index("公民身份号码") + 1).value = id_for("1980-05-05", serial=7)
        says = ("不符", "来源行 3")
    else:
        sheet.cell(3, header.index("复核结论") + 1).value = "同意"
        says = ("不是“通过”或“退回”", "来源行 3")
    reviewed = tmp_path / "r.xlsx"
    book.save(reviewed)
    _refused(add(claims, ledger, "--decisions", str(reviewed)), ledger, *says)


# ---- what the ledger counts afterwards ---------------------------------------------------
def test_only_paid_records_are_paid_history(tmp_path):
    ledger = tmp_path / "l"
    # three trainings of person 1 recorded, all returned: none counts for S303
    for n in range(3):
        rows = [claim(1, 班级编号=f"K{n}", 项目编号=f"P{n}", **SHORT)]
        assert add(batch(tmp_path / f"b{n}.csv", rows), ledger).returncode == 0
    fourth = batch(tmp_path / "b3.csv", [claim(1, 班级编号="K3", 项目编号="P3")])
    _, document = check(fourth, ledger)
    assert "S303" not in {c for c, _ in codes(document)}


def test_a_ledger_of_the_previous_version_is_read_as_decided_by_the_rules(tmp_path):
    # tests/fixtures/ledger_v1: written by the code before issue 20 (`ledger add` of the
    # then demo batch, tests/fixtures/ledger_v1_claims.xlsx, with --include-review): 106
    # records of schema version 1
    ledger = tmp_path / "l"
    shutil.copytree(FIXTURES / "ledger_v1", ledger)
    [old] = json.loads(run("ledger", "list", "--ledger", str(ledger), "--json").stdout)
    assert (old["paid"], old["returned"], old["decided_by_officer"]) == (106, 0, 0)
    demo = FIXTURES / "ledger_v1_claims.xlsx"  # the claims that ledger was written from
    copy = tmp_path / "2026第2批.xlsx"
    shutil.copy(demo, copy)  # the same claims again, under another name and hash
    _, document = check(copy, ledger, "--batch-id", "2026第2批")
    # the v1 batch has the demo's content hash: checked without its own records
    assert document["manifest"]["ledger"]["own_batch_left_out"] == ["2026第1批"]
    # a new batch is recorded beside the old file, and both are read
    new = batch(tmp_path / "n.csv", [claim(1)])
    assert add(new, ledger).returncode == 0
    listed = json.loads(run("ledger", "list", "--ledger", str(ledger), "--json").stdout)
    assert {e["batch_id"] for e in listed} == {"2026第1批", "n"}
    # a v1 record is paid history: the demo's first trainee on the same project again
    again = batch(
        tmp_path / "again.csv",
        [
            claim(1, 班级编号="C5"),
            claim(2, 公民身份号码="411423200008232624", 项目编号="WDGJ2026-001", 班级编号="BJ9"),
        ],
    )
    _, document = check(again, ledger)
    assert {("S305", 2), ("S305", 3)} <= codes(document)
    earlier = {
        e["source_row"]: e["evidence"]["earlier_in_ledger"]["batch_id"]
        for e in document["exceptions"]
        if e["code"] == "S305"
    }
    assert earlier == {2: "n", 3: "2026第1批"}


# ---- S309: a returned claim sent again -------------------------------------------------------
def test_s309_flags_a_returned_claim_sent_again_but_not_in_another_class(tmp_path):
    ledger = tmp_path / "l"
    first = batch(tmp_path / "a.csv", [claim(1, **SHORT), claim(2)])
    check(first, ledger)
    reviewed = decide(workbook(first), tmp_path / "ra.xlsx", {2: ("退回", "课时不足", "王科长")})
    assert add(first, ledger, "--decisions", str(reviewed)).returncode == 0
    again = batch(tmp_path / "b.csv", [claim(1), claim(1, 班级编号="C7", 项目编号="P7"), claim(3)])
    _, document = check(again, ledger)
    s309 = [e for e in document["exceptions"] if e["code"] == "S309"]
    assert [e["source_row"] for e in s309] == [2]
    assert "T201" in s309[0]["message"] and "王科长" in s309[0]["message"]
    assert s309[0]["evidence"]["batches"] == ["a"] and s309[0]["evidence"]["notes"] == ["课时不足"]


def test_s309_is_not_a_return_that_was_overturned(tmp_path):
    ledger = tmp_path / "l"
    first = batch(tmp_path / "a.csv", [claim(1, **SHORT)])
    check(first, ledger)
    reviewed = decide(workbook(first), tmp_path / "ra.xlsx", {2: ("通过", "补交材料", "王")})
    assert add(first, ledger, "--decisions", str(reviewed)).returncode == 0
    _, document = check(batch(tmp_path / "b.csv", [claim(1)]), ledger)
    assert "S309" not in {c for c, _ in codes(document)}


# ---- O408: two strikes -------------------------------------------------------------------------
def _struck(tmp_path: Path, ledger: Path, name: str, first_row: int, fields: dict) -> None:
    rows = [claim(first_row, **fields), claim(first_row + 1)]
    assert add(batch(tmp_path / f"{name}.csv", rows), ledger).returncode == 0


def _o408(tmp_path: Path, ledger: Path) -> list[dict]:
    probe = batch(tmp_path / "probe.csv", [claim(90), claim(91, 统一社会信用代码="")])
    _, document = check(probe, ledger)
    return [e for e in document["exceptions"] if e["code"] == "O408"]


def test_o408_one_strike_is_none_two_strikes_flag_every_claim_of_the_provider(tmp_path):
    ledger = tmp_path / "l"
    _struck(tmp_path, ledger, "a", 10, SHORT)
    assert _o408(tmp_path, ledger) == []  # 1 struck batch: below the parameter (2)
    _struck(tmp_path, ledger, "b", 20, {"考核结果": "不合格"})  # T204
    flagged = _o408(tmp_path, ledger)
    assert [e["source_row"] for e in flagged] == [2, 3]  # by code, and by name without one
    evidence = flagged[0]["evidence"]
    assert evidence["strike_batches"] == ["a", "b"] and evidence["count"] == 2
    assert evidence["codes"] == [["T201"], ["T204"]]


def test_o408_a_return_for_another_code_is_no_strike(tmp_path):
    ledger = tmp_path / "l"
    _struck(tmp_path, ledger, "a", 10, SHORT)
    _struck(tmp_path, ledger, "b", 20, OVER)  # S301: returned, but not for training delivery
    assert _o408(tmp_path, ledger) == []


def test_o408_a_batch_whose_returns_were_overturned_is_no_strike(tmp_path):
    ledger = tmp_path / "l"
    _struck(tmp_path, ledger, "a", 10, SHORT)
    second = batch(tmp_path / "b.csv", [claim(20, **SHORT), claim(21)])
    check(second, ledger)
    reviewed = decide(workbook(second), tmp_path / "rb.xlsx", {2: ("通过", "有正当理由", "王")})
    assert add(second, ledger, "--decisions", str(reviewed)).returncode == 0
    assert _o408(tmp_path, ledger) == []
    pack = (Path(__file__).resolve().parent.parent / "wudi_audit/rules/default.toml").read_text(
        encoding="utf-8"
    )
    assert "strikes = 2" in pack and "对2次未按规定实施培训" in pack


# ---- ledger list under a pipe ----------------------------------------------------------------
def test_ledger_list_under_a_pipe_prints_whole_tab_separated_lines(tmp_path):
    ledger = tmp_path / "l"
    long_id = "2026年第3批吴地工匠项目制培训补贴申领（工业园区）"
    claims = batch(tmp_path / "b.csv", [claim(1), claim(2, **SHORT)])
    assert add(claims, ledger, "--batch-id", long_id).returncode == 0
    proc = run("ledger", "list", "--ledger", str(ledger))  # stdout is a pipe here
    assert proc.returncode == 0, proc.stderr
    header, line = proc.stdout.splitlines()
    assert header.split("\t")[0] == "批次 batch" and "…" not in proc.stdout
    cells = line.split("\t")
    assert cells[0] == long_id and cells[2] == "1" and cells[4] == "1"
    assert cells[3] == "840.00" and len(cells[-1]) == 64  # the whole hash


# ---- P108 against the ledger's paid claims ------------------------------------------------
def test_p108_counts_the_ledgers_paid_trainees_on_one_phone(tmp_path):
    ledger = tmp_path / "l"
    headers = [*HEADERS, *PROVIDER, "联系电话"]

    def phoned(n: int, phone: str, **fields: str) -> list[str]:
        return [*claim(n, **fields), phone]

    first = write_csv(
        tmp_path / "a.csv", [headers, phoned(1, "138 1234 5678"), phoned(2, "+86-13812345678")]
    )
    assert add(first, ledger).returncode == 0
    returned = write_csv(tmp_path / "r.csv", [headers, phoned(5, "13812345678", **SHORT)])
    assert add(returned, ledger).returncode == 0  # a returned claim is not paid history
    later = write_csv(tmp_path / "b.csv", [headers, phoned(3, "13812345678"), phoned(4, "0512-1")])
    _, document = check(later, ledger)
    p108 = [e for e in document["exceptions"] if e["code"] == "P108"]
    assert [e["source_row"] for e in p108] == [2]
    evidence = p108[0]["evidence"]
    assert evidence["trainees"] == 3 and evidence["other_claims_count"] == 2
    assert {o["batch_id"] for o in evidence["other_claims"]} == {"a"}


# ---- kinds of excluded persons (issue 22, SPEC §3.3) -----------------------------------------
def test_several_excluded_lists_each_named_by_its_kind(tmp_path):
    ref = tmp_path / "ref"
    ref.mkdir()
    rows = [claim(1), claim(2), claim(3), claim(4)]
    claims = batch(tmp_path / "b.csv", rows)
    at = HEADERS.index("公民身份号码")
    # the financial roster without a kind column (财政供养人员 by default) …
    write_csv(ref / "excluded.csv", [["公民身份号码", "生效日期"], [rows[0][at], "2020-01-01"]])
    # … a list of the dead (a record with only a start date: from that date on) …
    write_csv(
        ref / "excluded_死亡人员.csv",
        [["身份证号码", "名单类别", "开始日期"], [rows[1][at], "死亡人员", "2026-01-01"],
         [rows[2][at], "死亡人员", "2026-12-01"]],
    )  # fmt: skip
    _, document = check(claims, tmp_path / "l", "--ref-dir", str(ref))
    p104 = {e["source_row"]: e for e in document["exceptions"] if e["code"] == "P104"}
    assert sorted(p104) == [2, 3]  # row 4 died after the training's start: not excluded
    assert (
        p104[2]["evidence"]["kind"] == "财政供养人员" and "财政供养人员名单" in p104[2]["message"]
    )
    assert p104[3]["evidence"]["kind"] == "死亡人员" and "死亡人员名单" in p104[3]["message"]
    assert p104[3]["evidence"]["roster_file"] == "excluded_死亡人员.csv"
    prison = write_csv(
        tmp_path / "服刑.csv", [["公民身份号码", "名单类别"], [rows[3][at], "服刑人员"]]
    )
    dead = ref / "excluded_死亡人员.csv"
    _, document = check(claims, tmp_path / "l", "--excluded", str(prison), "--excluded", str(dead))
    kinds = {
        e["source_row"]: e["evidence"]["kind"]
        for e in document["exceptions"]
        if e["code"] == "P104"
    }
    assert kinds == {3: "死亡人员", 5: "服刑人员"}  # the options replace the folder's lists
