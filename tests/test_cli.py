"""End to end through the command line, on real .xlsx files."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import fastexcel
import pytest
import xlsxwriter

from tests.test_reader import HEADERS, ROW, write_csv


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wudi_audit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**os.environ, **env} if env else None,
    )


@pytest.fixture(scope="module")
def demo(sample_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    proc = run(
        "check",
        str(sample_dir / "claims.xlsx"),
        "--attendance",
        str(sample_dir / "attendance.xlsx"),
        "--ref-dir",
        str(sample_dir / "ref"),
        "-o",
        str(out / "r.xlsx"),
        "--json",
        str(out / "r.json"),
    )
    return proc, out, ast.literal_eval((sample_dir / "planted.txt").read_text())


def test_demo_lists_the_planted_problems(demo):
    proc, out, planted = demo
    assert proc.returncode == 1, proc.stderr
    document = json.loads((out / "r.json").read_text(encoding="utf-8"))
    found = {(e["code"], e["source_row"]) for e in document["exceptions"]}
    assert len(found) == len(document["exceptions"])  # one row per (claim, rule)
    from wudi_audit.checks import REGISTRY

    for code, rows in planted.items():
        if code in REGISTRY:
            for row in rows:
                assert (code, row) in found, (code, row)
    # nothing flagged that was not planted: the sample is otherwise clean
    expected = {(c, r) for c, rows in planted.items() if c in REGISTRY for r in rows}
    assert found == expected


def test_json_contract(demo):
    _, out, _ = demo
    document = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert set(document) == {"manifest", "summary", "exceptions"}
    exception = document["exceptions"][0]
    for key in (
        "code",
        "severity",
        "source_row",
        "id_number",
        "class_id",
        "project_code",
        "amount_at_stake",
        "message",
        "evidence",
    ):
        assert key in exception
    assert isinstance(exception["evidence"], dict)
    assert exception["severity"] in {"reject", "review", "info"}
    manifest = document["manifest"]
    assert manifest["rule_pack"]["sha256"] and manifest["inputs"][0]["sha256"]
    assert manifest["inputs"][0]["rows"] == document["summary"]["claims"]


def test_workbook_sheets_and_text_ids(demo):
    _, out, _ = demo
    reader = fastexcel.read_excel(out / "r.xlsx")
    assert reader.sheet_names == ["汇总", "申领审核", "异常明细", "规则", "运行信息"]
    claims = reader.load_sheet("申领审核").to_polars()
    assert claims.columns[:4] == ["来源行", "申领编号", "姓名", "公民身份号码"]
    with zipfile.ZipFile(out / "r.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<pane" in sheet and "<autoFilter" in sheet
    assert "<f>" not in sheet  # no formulas anywhere


def test_formula_looking_text_stays_text(tmp_path):
    row = [ROW[0], '"=HYPERLINK(""http://x"",""点我"")"', *ROW[2:]]
    claims = write_csv(tmp_path / "c.csv", [HEADERS, row])
    proc = run("check", str(claims), "-o", str(tmp_path / "r.xlsx"))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "HYPERLINK" in xml


def test_missing_column_exits_2_and_writes_nothing(tmp_path):
    claims = write_csv(tmp_path / "c.csv", [HEADERS[:-1], ROW[:-1]])
    proc = run("check", str(claims))
    assert proc.returncode == 2
    assert proc.stderr.startswith("错误：") and "Error:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]


@pytest.mark.parametrize(
    ("pack", "message"),
    [
        ("[params\nmin_total_hours = 35", "规则包格式错误"),
        ("[params]\nmin_total_hours = 35", "缺少参数"),
    ],
)
def test_malformed_rule_pack_exits_2(tmp_path, pack, message):
    claims = write_csv(tmp_path / "c.csv", [HEADERS, ROW])
    (tmp_path / "p.toml").write_text(pack, encoding="utf-8")
    proc = run("check", str(claims), "--rules", str(tmp_path / "p.toml"))
    assert proc.returncode == 2 and message in proc.stderr
    assert not (tmp_path / "c.exceptions.xlsx").exists()


def test_bad_parameter_value_exits_2(tmp_path):
    from wudi_audit.rules.pack import default_pack_path

    text = (
        default_pack_path()
        .read_text(encoding="utf-8")
        .replace("max_online_share = 0.40", "max_online_share = 1.5")
    )
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    claims = write_csv(tmp_path / "c.csv", [HEADERS, ROW])
    proc = run("check", str(claims), "--rules", str(tmp_path / "p.toml"))
    assert proc.returncode == 2 and "max_online_share" in proc.stderr


def test_output_path_validated_before_work(tmp_path):
    claims = write_csv(tmp_path / "c.csv", [HEADERS, ROW])
    for target, message in (
        (tmp_path / "no" / "r.xlsx", "不存在"),
        (claims, "不能覆盖输入文件"),
        (tmp_path, "文件夹"),
    ):
        proc = run("check", str(claims), "-o", str(target))
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_fail_on_thresholds(tmp_path):
    row = [*ROW[:8], "不合格", ROW[9]]
    claims = write_csv(tmp_path / "c.csv", [HEADERS, row])
    assert run("check", str(claims)).returncode == 1
    assert run("check", str(claims), "--fail-on", "never").returncode == 0
    clean = write_csv(tmp_path / "ok.csv", [HEADERS, ROW])
    assert run("check", str(clean), "--fail-on", "review").returncode == 0


def test_mask_ids_everywhere(tmp_path):
    rows = [HEADERS, [*ROW[:8], "不合格", ROW[9]]]
    claims = write_csv(tmp_path / "c.csv", rows)
    proc = run(
        "check",
        str(claims),
        "--mask-ids",
        "--json",
        str(tmp_path / "r.json"),
        "-o",
        str(tmp_path / "r.xlsx"),
    )
    assert proc.returncode == 1
    text = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert ROW[0] not in text and "320505********1233" in text and "张*" in text
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert ROW[0] not in xml and "张三" not in xml
    assert ROW[0] not in proc.stdout + proc.stderr


def test_english_output(tmp_path):
    row = [*ROW[:6], "20", "20", *ROW[8:]]
    claims = write_csv(tmp_path / "c.csv", [HEADERS, row])
    proc = run("check", str(claims), "--lang", "en", "--json", "-", "-o", str(tmp_path / "r.xlsx"))
    document = json.loads(proc.stdout)
    assert document["exceptions"][0]["message"] == "online 20 / total 40 hours = 50% > 40%"
    assert fastexcel.read_excel(tmp_path / "r.xlsx").sheet_names == [
        "Summary",
        "Claims",
        "Exceptions",
        "Rules",
        "Run",
    ]


def test_rules_explain_schema_commands():
    listing = run("rules")
    assert listing.returncode == 0 and "T202" in listing.stdout
    explained = run("explain", "t202")
    assert explained.returncode == 0
    assert "线上培训课时原则上不得高于培训总课时的40%" in explained.stdout
    assert "max_online_share = 0.4" in explained.stdout
    assert run("explain", "X999").returncode == 2
    assert "身份证号码" in run("schema").stdout


def test_headers_only_is_zero_claims_exit_0(tmp_path):
    claims = tmp_path / "c.xlsx"
    with xlsxwriter.Workbook(str(claims)) as book:
        book.add_worksheet().write_row(0, 0, HEADERS)
    proc = run("check", str(claims), "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["claims"] == 0


def test_inputs_are_not_modified(sample_dir, demo):
    import hashlib

    _, out, _ = demo
    document = json.loads((out / "r.json").read_text(encoding="utf-8"))
    for source in document["manifest"]["inputs"]:
        digest = hashlib.sha256(Path(source["path"]).read_bytes()).hexdigest()
        assert digest == source["sha256"]


def test_rule_docs_are_generated_from_the_registry():
    from wudi_audit.cli.docs import rules_markdown

    committed = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), "regenerate: wudi-audit rules --markdown > docs/rules.md"


@pytest.mark.parametrize(
    "args",
    [["check", "--bogus"], ["check", "x.xlsx", "--lang", "fr"], ["check"], ["nosuchcommand"]],
)
def test_usage_errors_exit_2_without_traceback(args):
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("错误：") and "Traceback" not in proc.stderr


def test_attendance_from_a_folder_and_several_options(tmp_path):
    """Attendance split over files: a folder of CSVs plus another file, all one union."""
    headers = ["班级编号", "身份证号", "签到时间", "签退时间", "方式"]
    who = ROW[0]
    folder = tmp_path / "考勤"
    folder.mkdir()
    offline = [["C1", who, f"2026-03-0{d} 08:00", f"2026-03-0{d} 13:15", "线下"] for d in (2, 3, 4)]
    online = [
        ["C1", who, f"2026-03-0{d} 19:00", f"2026-03-0{d} 20:30", "线上"] for d in range(2, 9)
    ]
    write_csv(folder / "part1.csv", [headers, *offline[:2]])
    write_csv(folder / "part2.csv", [headers, offline[2]], encoding="gbk")
    extra = write_csv(tmp_path / "online.csv", [headers, *online])
    claims = write_csv(tmp_path / "c.csv", [HEADERS, ROW])
    proc = run(
        "check",
        str(claims),
        "--attendance",
        str(folder),
        "--attendance",
        str(extra),
        "--json",
        str(tmp_path / "r.json"),
        "-o",
        str(tmp_path / "r.xlsx"),
    )
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert proc.returncode == 0, document["exceptions"]
    assert document["summary"]["attendance"] == {"records": 10, "without_claim": 0, "unreadable": 0}
    roles = [s["role"] for s in document["manifest"]["inputs"]]
    assert roles.count("attendance") == 3


def test_legacy_number_is_noted_in_the_claims_sheet(tmp_path):
    row = ["320502650101123", *ROW[1:]]
    claims = write_csv(tmp_path / "c.csv", [HEADERS, row])
    proc = run("check", str(claims), "-o", str(tmp_path / "r.xlsx"))
    assert proc.returncode == 1  # born 1965-01-01, male: over 60y1m in 2026 (P103)
    sheet = fastexcel.read_excel(tmp_path / "r.xlsx").load_sheet("申领审核").to_polars()
    assert sheet["公民身份号码"].to_list() == ["320502196501011237"]
    assert sheet["身份证号说明"].to_list() == ["15位旧号码已升级为18位"]
