"""The ledger on disk: add, list, remove, concurrency, crashes, foreign readers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import id_for
from tests.test_cli import run
from tests.test_reader import HEADERS, ROW, write_csv
from wudi_audit.ledger.layout import batch_of_file, file_stem
from wudi_audit.schema.ledger import LEDGER_SCHEMA


def claim(n: int, **fields: str) -> list[str]:
    """Row n: person n (学员n; consecutive numbers are one digit apart, so each person has a
    name of their own, or P107 would see altered numbers) in class C<n>; fields by header
    override."""
    row = dict(zip(HEADERS, ROW, strict=True))
    row.update(
        {"公民身份号码": id_for("1990-01-01", serial=n), "班级编号": f"C{n}", "姓名": f"学员{n}"}
    )
    row.update(fields)
    return [row[h] for h in HEADERS]


def batch(path: Path, rows: list[list[str]]) -> Path:
    return write_csv(path, [HEADERS, *rows])


def ledger_json(ledger: Path) -> list[dict]:
    proc = run("ledger", "list", "--ledger", str(ledger), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def add(claims: Path, ledger: Path, *extra: str) -> subprocess.CompletedProcess:
    return run("ledger", "add", str(claims), "--ledger", str(ledger), *extra)


def check_json(claims: Path, ledger: Path, tmp: Path, *extra: str) -> tuple[int, dict]:
    out = tmp / f"{claims.stem}.json"
    proc = run(
        "check", str(claims), "--ledger", str(ledger), "-o", str(tmp / "r.xlsx"),
        "--json", str(out), *extra,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(out.read_text(encoding="utf-8"))


def codes(document: dict) -> set[tuple[str, int]]:
    return {(e["code"], e["source_row"]) for e in document["exceptions"]}


def test_add_records_every_claim_with_the_rules_decision(tmp_path):
    # SPEC §3.4 (issue 20): without --decisions, 通过 is recorded as paid and every other
    # claim as returned, all decided by the rules
    ledger = tmp_path / "台账 共享"
    claims = batch(tmp_path / "2026第3批.csv", [claim(1), claim(2), claim(3, 考核结果="不合格")])
    proc = add(claims, ledger)
    assert proc.returncode == 0, proc.stderr
    assert "记入 / recorded 3 笔" in proc.stdout
    assert "通过 / paid 2 笔，退回 / returned 1 笔" in proc.stdout
    [entry] = ledger_json(ledger)
    assert entry["batch_id"] == "2026第3批" and entry["claims"] == 3
    assert (entry["paid"], entry["paid_amount"], entry["returned"]) == (2, 1680.0, 1)
    assert entry["years"] == [2026]
    files = list(ledger.glob("year=2026/*.parquet"))
    assert [batch_of_file(f)[0] for f in files] == ["2026第3批"]
    frame = pl.read_parquet(files[0])
    assert dict(frame.schema) == LEDGER_SCHEMA
    assert frame["source_row"].to_list() == [2, 3, 4]
    assert frame["decision"].to_list() == ["pass", "pass", "reject"]
    assert set(frame["decided_by"]) == {"rules"} and frame["codes"][2] == "T204"


def test_include_review_records_claims_for_review(tmp_path):
    ledger = tmp_path / "l"
    # the same identity number under two names: P106 (review) on both rows
    rows = [claim(1), claim(1, 姓名="李四", 班级编号="C9", 项目编号="P9")]
    claims = batch(tmp_path / "b.csv", rows)
    assert "通过 / paid 0 笔，退回 / returned 2 笔" in add(claims, ledger).stdout
    run("ledger", "remove", "b", "--ledger", str(ledger))
    again = add(claims, ledger, "--include-review", "--batch-id", "b2").stdout
    assert "通过 / paid 2 笔，退回 / returned 0 笔" in again


def test_same_content_again_is_a_no_op_and_conflicts_need_replace(tmp_path):
    ledger = tmp_path / "l"
    claims = batch(tmp_path / "b.csv", [claim(1)])
    assert add(claims, ledger).returncode == 0
    again = add(claims, ledger)
    assert again.returncode == 0 and "未作改动" in again.stdout
    # the same content under another id is the same batch
    assert "未作改动" in add(claims, ledger, "--batch-id", "other").stdout
    batch(claims, [claim(1), claim(2)])
    conflict = add(claims, ledger)
    assert conflict.returncode == 2 and conflict.stderr.startswith("错误：台账")
    assert "--replace" in conflict.stderr and "Traceback" not in conflict.stderr
    assert [e["claims"] for e in ledger_json(ledger)] == [1]
    replaced = add(claims, ledger, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert [e["claims"] for e in ledger_json(ledger)] == [2]
    assert len(list((ledger / ".removed").glob("*/year=2026/*.parquet"))) == 1


def test_remove_moves_the_batch_aside_and_can_be_undone(tmp_path):
    ledger = tmp_path / "l"
    claims = batch(tmp_path / "b.csv", [claim(1, 结业日期="2025-12-20"), claim(2)])
    assert add(claims, ledger).returncode == 0
    assert ledger_json(ledger)[0]["years"] == [2025, 2026]
    proc = run("ledger", "remove", "b", "--ledger", str(ledger))
    assert proc.returncode == 0, proc.stderr
    assert ledger_json(ledger) == []
    moved = sorted((ledger / ".removed").glob("*/year=*/*.parquet"))
    assert len(moved) == 2
    missing = run("ledger", "remove", "b", "--ledger", str(ledger))
    assert missing.returncode == 2 and "没有批次" in missing.stderr
    # undo: move the files back
    for path in moved:
        path.rename(ledger / path.parent.name / path.name)
    assert ledger_json(ledger)[0]["claims"] == 2


def test_check_counts_the_ledger_and_not_a_batch_against_itself(tmp_path):
    ledger = tmp_path / "l"
    first = batch(tmp_path / "first.csv", [claim(1)])
    assert add(first, ledger).returncode == 0
    # re-checking the paid batch: no repeat against itself
    code, document = check_json(first, ledger, tmp_path)
    assert code == 0 and not codes(document)
    assert document["manifest"]["ledger"]["own_batch_left_out"] == ["first"]
    # a new batch with the same person and project again: S305 against the ledger
    second = batch(tmp_path / "second.csv", [claim(1, 班级编号="C1b", 结业日期="2026-09-01")])
    code, document = check_json(second, ledger, tmp_path)
    assert code == 1 and codes(document) == {("S305", 2)}
    [exception] = document["exceptions"]
    assert exception["evidence"]["earlier_in_ledger"]["batch_id"] == "first"


def test_the_environment_names_the_ledger_and_a_missing_folder_is_empty(tmp_path):
    ledger = tmp_path / "from-env"
    claims = batch(tmp_path / "b.csv", [claim(1)])
    env = {**os.environ, "WUDI_LEDGER": str(ledger)}
    proc = subprocess.run(
        [sys.executable, "-m", "wudi_audit", "check", str(claims), "-o", str(tmp_path / "r.xlsx")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "台账文件夹不存在" in proc.stdout
    assert not ledger.exists()  # check never creates it


def test_three_years_in_the_ledger_then_a_fourth_training(tmp_path):
    ledger = tmp_path / "l"
    for n in range(3):
        rows = [claim(1, 班级编号=f"K{n}", 项目编号=f"P{n}", 结业日期=f"2026-0{n + 4}-01")]
        assert add(batch(tmp_path / f"b{n}.csv", rows), ledger).returncode == 0
    fourth = batch(tmp_path / "b3.csv", [claim(1, 班级编号="K3", 项目编号="P3")])
    _, document = check_json(fourth, ledger, tmp_path)
    assert codes(document) == {("S303", 2)}
    assert document["exceptions"][0]["evidence"]["ledger_count"] == 3
    # a fourth add is judged against the first three: the claim is recorded as returned
    assert "通过 / paid 0 笔，退回 / returned 1 笔" in add(fourth, ledger).stdout


@pytest.mark.parametrize("kind", ["file", "corrupt", "foreign", "version"])
def test_an_unreadable_history_stops_the_run(tmp_path, kind):
    ledger = tmp_path / "l"
    claims = batch(tmp_path / "b.csv", [claim(1)])
    if kind == "file":
        ledger.write_text("not a folder")
    else:
        assert add(batch(tmp_path / "a.csv", [claim(2)]), ledger).returncode == 0
        [path] = ledger.glob("year=2026/*.parquet")
        if kind == "corrupt":
            path.write_bytes(path.read_bytes()[:200])
        elif kind == "foreign":
            pl.DataFrame({"x": [1]}).write_parquet(path)
        else:
            frame = pl.read_parquet(path)
            frame.write_parquet(path, metadata={"wudi_ledger_version": "3"})
    proc = run("check", str(claims), "--ledger", str(ledger), "-o", str(tmp_path / "r.xlsx"))
    assert proc.returncode == 2, proc.stdout
    first_line = proc.stderr.splitlines()[0]
    assert first_line.startswith("错误：台账") and "Traceback" not in proc.stderr
    if kind != "file":
        assert path.name in proc.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_duckdb_reads_the_ledger_as_it_is(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    ledger = tmp_path / "l"
    rows = [claim(1, 结业日期="2025-12-20"), claim(2), claim(3)]
    assert add(batch(tmp_path / "b.csv", rows), ledger).returncode == 0
    ours = pl.read_parquet(ledger / "year=*/*.parquet", hive_partitioning=True).sort("source_row")
    query = (
        f"SELECT * FROM read_parquet('{ledger}/year=*/*.parquet', hive_partitioning = true) "
        "ORDER BY source_row"
    )
    relation = duckdb.sql(query)
    theirs = pl.DataFrame(relation.fetchall(), schema=relation.columns, orient="row")
    assert theirs.height == 3 and theirs["year"].to_list() == [2025, 2026, 2026]
    assert set(LEDGER_SCHEMA) < set(relation.columns)
    for column in ("batch_id", "id_number", "class_id", "amount_fen", "start_date", "end_date"):
        assert theirs[column].to_list() == ours[column].to_list(), column


# ---- two writers at once; a writer killed half-way ----------------------------------


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "wudi_audit", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize("same_id", [True, False], ids=["same-batch", "different-batches"])
def test_concurrent_adds_neither_lose_nor_duplicate(tmp_path, same_id):
    ledger = tmp_path / "l"
    a = batch(tmp_path / "a.csv", [claim(1), claim(2)])
    b = a if same_id else batch(tmp_path / "b.csv", [claim(3)])
    procs = [spawn("ledger", "add", str(p), "--ledger", str(ledger)) for p in (a, b, a, b)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _, _ in results), results
    entries = ledger_json(ledger)
    assert sorted(e["batch_id"] for e in entries) == (["a"] if same_id else ["a", "b"])
    assert sum(e["claims"] for e in entries) == (2 if same_id else 3)
    assert not list(ledger.glob("**/.*.tmp")) and not (ledger / ".lock").exists()


KILLER = """
import os, signal, sys
from wudi_audit.ledger import lock, record
def crash(folder, renames):
    if {after_journal}:
        temp = folder / ".journal.tmp"
        pairs = [[str(a), str(b)] for a, b in renames]
        lock.write_synced(temp, __import__("json").dumps(pairs).encode())
        os.replace(temp, folder / lock.JOURNAL_NAME)
        lock._replay(folder, renames[:1])
    os.kill(os.getpid(), signal.SIGKILL)
record.apply_renames = crash
sys.argv = ["wudi-audit", *sys.argv[1:]]
from wudi_audit.cli.app import main
main()
"""


def killed_add(claims: Path, ledger: Path, after_journal: bool) -> int:
    code = KILLER.format(after_journal=after_journal)
    proc = subprocess.run(
        [sys.executable, "-c", code, "ledger", "add", str(claims), "--ledger", str(ledger)],
        capture_output=True, timeout=120,
    )  # fmt: skip
    return proc.returncode


def test_killed_before_the_renames_leaves_no_visible_batch(tmp_path):
    ledger = tmp_path / "l"
    claims = batch(tmp_path / "b.csv", [claim(1, 结业日期="2025-12-20"), claim(2)])
    assert killed_add(claims, ledger, after_journal=False) == -signal.SIGKILL
    assert (ledger / ".lock").exists() and list(ledger.glob("year=*/.*.tmp"))
    assert not list(ledger.glob("year=*/*.parquet"))
    _, document = check_json(claims, ledger, tmp_path)
    assert document["manifest"]["ledger"]["files_read"] == 0
    # the next add breaks the dead writer's lock and cleans its leftovers
    assert add(claims, ledger).returncode == 0
    assert not list(ledger.glob("**/.*.tmp")) and not (ledger / ".lock").exists()
    assert ledger_json(ledger)[0]["claims"] == 2


def test_killed_between_renames_is_completed_by_the_next_writer(tmp_path):
    ledger = tmp_path / "l"
    claims = batch(tmp_path / "b.csv", [claim(1, 结业日期="2025-12-20"), claim(2)])
    assert killed_add(claims, ledger, after_journal=True) == -signal.SIGKILL
    assert len(list(ledger.glob("year=*/*.parquet"))) == 1  # half of the batch
    proc = run("check", str(claims), "--ledger", str(ledger), "-o", str(tmp_path / "r.xlsx"))
    assert proc.returncode == 2 and "上次写入未完成" in proc.stderr
    assert ledger_json(ledger)[0]["claims"] == 2  # list completes the journal
    assert not (ledger / ".journal.json").exists()
    assert "未作改动" in add(claims, ledger).stdout


def test_file_names_are_safe_on_windows_and_keep_the_batch_id():
    stem = file_stem('2026/第3批: "补"?', "ab" * 32)
    assert not set('<>:"/\\|?*') & set(stem)
    assert batch_of_file(Path(f"{stem}.parquet")) == ('2026/第3批: "补"?', "ab" * 8)


def test_check_reads_only_the_years_the_batch_reaches(tmp_path):
    ledger = tmp_path / "l"
    old = batch(tmp_path / "old.csv", [claim(1, 开班日期="2019-03-02", 结业日期="2019-03-15")])
    assert add(old, ledger).returncode == 0
    [path] = ledger.glob("year=2019/*.parquet")
    # the paid history of a year the batch does not reach is never read
    _, document = check_json(batch(tmp_path / "b.csv", [claim(1)]), ledger, tmp_path)
    assert document["manifest"]["ledger"]["files_read"] == 0
    # but O408 counts the returns of every year (the notice sets no window), so a damaged
    # file anywhere stops the run rather than let a provider's strikes go uncounted
    path.write_bytes(b"PAR1 broken")
    far = run(
        "check", str(tmp_path / "b.csv"), "--ledger", str(ledger), "-o", str(tmp_path / "x.xlsx")
    )
    assert far.returncode == 2 and path.name in far.stderr
    near = batch(tmp_path / "near.csv", [claim(1, 开班日期="2020-03-02", 结业日期="2020-03-10")])
    proc = run("check", str(near), "--ledger", str(ledger), "-o", str(tmp_path / "r.xlsx"))
    assert proc.returncode == 2 and path.name in proc.stderr  # 2019 is within 365 days


def test_ledger_commands_take_the_ledger_from_the_settings_file(tmp_path):
    (tmp_path / "wudi-audit.toml").write_text('ledger = "共享 台账"\n', encoding="utf-8")
    claims = batch(tmp_path / "b.csv", [claim(1)])
    proc = run("ledger", "add", str(claims), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert list((tmp_path / "共享 台账").glob("year=2026/*.parquet"))
    listed = run("ledger", "list", "--json", cwd=tmp_path)
    assert [e["batch_id"] for e in json.loads(listed.stdout)] == ["b"]
    assert run("ledger", "remove", "b", cwd=tmp_path).returncode == 0
