"""Folders and the nightly job: several batches into one output folder, an index, the state
file that skips what was done, cron log lines, locked outputs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import fastexcel
import pytest

from tests.conftest import id_for
from tests.test_cli import run
from tests.test_ledger import batch, claim
from tests.test_reader import HEADERS, write_csv
from wudi_audit.batches.discover import discover, is_batch_file
from wudi_audit.batches.state import STATE_NAME, StateFile
from wudi_audit.rules.pack import default_pack_path

LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d wudi-audit: file=\"(?P<file>[^\"]+)\" "
    r"status=(?P<status>\w+) claims=(?P<claims>\S+) flagged=(?P<flagged>\S+) "
    r"at_stake=(?P<at_stake>\S+) exit=(?P<exit>\d)( error=\".+\")?$"
)
PERSONS = range(1, 8)


def secrets() -> list[str]:
    """What must never reach a log line: every identity number and name in the batches."""
    return [id_for("1990-01-01", serial=n) for n in PERSONS] + ["张三", "李四"]


@pytest.fixture(scope="module")
def drive(tmp_path_factory) -> Path:
    """A shared drive with a folder of three batches (clean, flagged, broken), attendance
    beside the flagged one, a `ref/` folder, and files that are not batches."""
    root = tmp_path_factory.mktemp("drive") / "共享盘 夜间"
    folder = root / "批次 2026"
    (folder / "ref").mkdir(parents=True)
    batch(folder / "清洁 批次.csv", [claim(1), claim(2)])
    batch(folder / "flagged.csv", [claim(3), claim(4, 考核结果="不合格")])
    no_amount = [h for h in HEADERS if h != "申领金额"]
    write_csv(folder / "broken.csv", [no_amount, claim(5)[: len(no_amount)]])
    write_csv(folder / "ref" / "excluded.csv", [["公民身份号码", "姓名"], [claim(4)[0], "张三"]])
    write_csv(
        folder / "flagged.attendance.csv",
        [["班级编号", "公民身份号码", "签到时间", "签退时间"],
         ["C3", claim(3)[0], "2026-03-02 08:00", "2026-03-02 09:00"]],
    )  # fmt: skip
    (folder / "~$清洁 批次.xlsx").write_bytes(b"lock")
    (folder / ".hidden.csv").write_text("x")
    (folder / "catalog.csv").write_text("项目编号\n")
    (folder / "README.txt").write_text("not a batch")
    return root


def check(drive: Path, *extra: str) -> subprocess.CompletedProcess:
    return run(
        "check", str(drive / "批次 2026"), "--out-dir", str(drive / "审核 结果"),
        "--ledger", str(drive / "台账"), *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def runs(drive: Path) -> dict[str, subprocess.CompletedProcess]:
    changed = drive / "规则 2026.toml"
    changed.write_text(default_pack_path().read_text("utf-8") + "\n# 修订\n", "utf-8")
    first = check(drive)
    index_first = json.loads((drive / "审核 结果" / "index.json").read_text("utf-8"))
    second = check(drive)
    index_second = json.loads((drive / "审核 结果" / "index.json").read_text("utf-8"))
    return {
        "first": first,
        "second": second,
        "index_first": index_first,
        "index_second": index_second,
        "rules": check(drive, "--rules", str(changed)),
        "quiet": check(drive, "--force", "--quiet"),
        "json": check(drive, "--force", "--log-json"),
    }


def test_folder_gives_two_reports_and_an_index_of_three(drive, runs):
    proc = runs["first"]
    assert proc.returncode == 2, proc.stderr
    out = drive / "审核 结果"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "flagged.exceptions.json", "flagged.exceptions.xlsx", "index.json", "index.xlsx",
        STATE_NAME, "清洁 批次.exceptions.json", "清洁 批次.exceptions.xlsx",
    ]  # fmt: skip
    rows = {r["batch"]: r for r in runs["index_first"]["batches"]}
    assert list(rows) == ["broken", "flagged", "清洁 批次"]
    assert rows["清洁 批次"]["exit_code"] == 0 and rows["清洁 批次"]["claims"] == 2
    assert rows["清洁 批次"]["claimed_amount"] == 1680.0 and rows["清洁 批次"]["flagged"] == 0
    assert rows["flagged"]["exit_code"] == 1 and rows["flagged"]["claims_reject"] == 2
    assert rows["flagged"]["amount_at_stake"] > 0
    assert rows["broken"]["exit_code"] == 2 and rows["broken"]["status"] == "error"
    assert "申领金额" in rows["broken"]["error"] and "amount" in rows["broken"]["error"]
    assert rows["broken"]["workbook"] == ""
    sheet = fastexcel.read_excel(out / "index.xlsx").load_sheet(0).to_polars()
    assert sheet["批次"].to_list() == ["broken", "flagged", "清洁 批次", "合计"]
    assert "申领金额" in sheet["无法审核的原因"][0]


def test_attendance_and_ref_folder_beside_the_batch_are_used(drive, runs):
    document = json.loads((drive / "审核 结果" / "flagged.exceptions.json").read_text("utf-8"))
    roles = {(i["role"], Path(i["path"]).name) for i in document["manifest"]["inputs"]}
    assert ("attendance", "flagged.attendance.csv") in roles
    assert ("excluded", "excluded.csv") in roles
    assert "P104" in {e["code"] for e in document["exceptions"]}


def test_cron_log_lines_without_a_terminal(runs):
    proc = runs["first"]
    assert "\x1b" not in proc.stdout + proc.stderr  # no colours, no progress
    lines = [LINE.match(line) for line in proc.stdout.splitlines()[:-1]]
    assert [(m["file"].split("/")[-1], m["status"], m["exit"]) for m in lines] == [
        ("flagged.csv", "checked", "1"),
        ("清洁 批次.csv", "checked", "0"),
    ]
    assert lines[0]["claims"] == "2" and lines[0]["flagged"] == "2"
    [error] = proc.stderr.splitlines()
    match = LINE.match(error)
    assert match and match["status"] == "error" and match["exit"] == "2"
    assert "3 个批次：审核 2，跳过 0" in proc.stdout.splitlines()[-1]


def test_second_run_skips_all_three_and_says_so(runs):
    proc = runs["second"]
    assert proc.returncode == 0, proc.stderr
    assert "审核 0，跳过 3" in proc.stdout
    rows = runs["index_second"]["batches"]
    assert [r["status"] for r in rows] == ["skipped"] * 3
    assert [r["exit_code"] for r in rows] == [2, 1, 0]  # as recorded
    assert rows[0]["error"] == runs["index_first"]["batches"][0]["error"]


def test_changing_the_rule_pack_runs_them_again(runs):
    proc = runs["rules"]
    assert proc.returncode == 2
    assert "审核 2，跳过 0" in proc.stdout and "无法审核 1" in proc.stdout


def test_quiet_prints_only_errors(runs):
    proc = runs["quiet"]
    assert proc.returncode == 2 and proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert "broken.csv" in line and "exit=2" in line


def test_log_json_parsed_back(runs):
    proc = runs["json"]
    assert proc.returncode == 2
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["event"] for r in records] == ["batch"] * 3 + ["run"]
    assert [(r["batch"], r["exit_code"]) for r in records[:3]] == [
        ("broken", 2), ("flagged", 1), ("清洁 批次", 0),
    ]  # fmt: skip
    assert records[1]["claims"] == 2 and records[1]["flagged"] == 2
    assert records[-1] | {"time": None} == records[-1] | {
        "time": None, "batches": 3, "checked": 2, "skipped": 0, "errors": 1, "exit_code": 2,
    }  # fmt: skip


def test_no_identity_number_or_name_in_any_log_line(runs):
    text = "".join(p.stdout + p.stderr for k, p in runs.items() if not k.startswith("index"))
    for secret in secrets():
        assert secret not in text


def test_what_is_not_a_batch(tmp_path):
    names = ["a.xlsx", "b.csv", "~$a.xlsx", ".b.csv", "a.attendance.xlsx", "a.考勤.csv",
             "providers.xlsx", "a.exceptions.xlsx", "index.xlsx", "notes.txt", "x.tmp"]  # fmt: skip
    for name in names:
        (tmp_path / name).write_text("x")
    (tmp_path / "a.attendance").mkdir()
    (tmp_path / "ref").mkdir()
    assert [p for p in names if is_batch_file(tmp_path / p)] == ["a.xlsx", "b.csv"]
    found = discover([tmp_path, tmp_path / "b.csv"])
    assert [(b.name, b.claims.name) for b in found] == [("a", "a.xlsx"), ("b", "b.csv")]
    assert [p.name for p in found[0].attendance] == [
        "a.attendance.xlsx", "a.attendance", "a.考勤.csv",
    ]  # fmt: skip
    assert found[0].ref_dir == tmp_path / "ref"


def test_batches_sharing_a_stem_keep_apart(tmp_path):
    for name in ("a.csv", "a.xlsx"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.csv").write_text("x")
    found = discover([tmp_path, tmp_path / "sub" / "a.csv"])
    assert [b.name for b in found] == ["a.csv", "a.xlsx", "a.csv-2"]


def test_several_files_need_an_output_folder(tmp_path):
    a = batch(tmp_path / "a.csv", [claim(1)])
    b = batch(tmp_path / "b.csv", [claim(2)])
    proc = run("check", str(a), str(b))
    assert proc.returncode == 2 and "--out-dir" in proc.stderr
    proc = run("check", str(a), str(b), "--out-dir", str(tmp_path), "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 2 and "-o/--json" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


STATE_WRITER = """
import sys
from pathlib import Path
from wudi_audit.batches.state import StateFile
state = StateFile(Path(sys.argv[1]))
for n in range(40):
    state.record(f"{sys.argv[2]}-{n}", {"claims": str(n)}, {"status": "checked", "n": n})
"""


def test_two_processes_update_one_state_file_without_losing_an_entry(tmp_path):
    writers = [
        subprocess.Popen([sys.executable, "-c", STATE_WRITER, str(tmp_path), who])
        for who in ("cron", "desk")
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    recorded = StateFile(tmp_path).read()
    assert len(recorded) == 80 and recorded["desk-39"]["row"]["n"] == 39
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_NAME]  # no lock, no temp


def test_two_runs_at_once_on_one_output_folder(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for n in (1, 2, 3):
        batch(folder / f"b{n}.csv", [claim(n)])
    args = [sys.executable, "-m", "wudi_audit", "check", str(folder), "--out-dir", str(out),
            "--ledger", str(tmp_path / "l"), "--force", "--quiet"]  # fmt: skip
    procs = [subprocess.Popen(args) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert sorted(StateFile(out).read()) == ["b1", "b2", "b3"]
    assert len(json.loads((out / "index.json").read_text("utf-8"))["batches"]) == 3
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_deleted_report_is_written_again(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    batch(folder / "b.csv", [claim(1)])
    args = ("check", str(folder), "--out-dir", str(out), "--ledger", str(tmp_path / "l"))
    assert run(*args).returncode == 0
    (out / "b.exceptions.xlsx").unlink()
    proc = run(*args)
    assert "审核 1，跳过 0" in proc.stdout and (out / "b.exceptions.xlsx").exists()
    shutil.rmtree(out)


def test_review_sample_of_each_batch_in_a_folder_run(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    batch(folder / "b.csv", [claim(1), claim(2), claim(3)])
    args = ("check", str(folder), "--out-dir", str(out), "--ledger", str(tmp_path / "l"))
    assert run(*args, "--sample", "2").returncode == 0
    document = json.loads((out / "b.exceptions.json").read_text("utf-8"))
    assert len(document["sample"]) == 2 and "seed" in document["manifest"]["sample"]
    assert "审核 1，跳过 0" in run(*args, "--sample", "1").stdout  # another sample: run again


def test_a_lock_left_by_a_dead_run_is_broken_and_a_damaged_state_file_starts_over(tmp_path):
    import socket

    from wudi_audit.batches.state import LOCK_NAME

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    holder = {"host": socket.gethostname(), "pid": int(dead.stdout), "since": 0}
    (tmp_path / LOCK_NAME).write_text(json.dumps(holder))
    (tmp_path / STATE_NAME).write_text("{half a fi")
    state = StateFile(tmp_path)
    assert state.read() == {} and "状态文件" in (state.warning or "")
    state.record("b", {"claims": "x"}, {"status": "checked"})
    assert list(StateFile(tmp_path).read()) == ["b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_NAME]
