"""Programme versions (SPEC §5): several rule packs, each claim judged by the pack in force
on its start date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import claims_inputs
from tests.test_cli import run
from tests.test_reader import HEADERS, ROW, write_csv
from wudi_audit.checks.engine import assign_packs, run_rules_by_pack
from wudi_audit.errors import UserInputError
from wudi_audit.rules.pack import default_pack_path, load_rule_pack, load_rule_packs

ROOT = Path(__file__).resolve().parent.parent


def test_both_copies_of_the_default_pack_are_identical():
    assert (ROOT / "rules" / "default.toml").read_bytes() == default_pack_path().read_bytes()


def write_pack(path: Path, start: str, end: str, min_hours: int = 35) -> Path:
    text = default_pack_path().read_text(encoding="utf-8")
    text = text.replace('effective_from = "2023-01-01"', f'effective_from = "{start}"')
    text = text.replace('effective_to = ""', f'effective_to = "{end}"')
    text = text.replace("min_total_hours = 35", f"min_total_hours = {min_hours}")
    text = text.replace('name = "吴地工匠项目制培训（默认）"', f'name = "{path.stem}"')
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_packs(tmp_path) -> list[Path]:
    return [
        write_pack(tmp_path / "v2026.toml", "2026-01-01", "", min_hours=40),
        write_pack(tmp_path / "v2025.toml", "2025-01-01", "2025-12-31"),
    ]


def test_effective_dates_are_read(two_packs):
    pack = load_rule_pack(two_packs[1])
    assert (str(pack.effective_from), str(pack.effective_to)) == ("2025-01-01", "2025-12-31")
    default = load_rule_pack()
    assert str(default.effective_from) == "2023-01-01" and default.effective_to is None


def test_packs_are_ordered_by_effective_from(two_packs):
    assert [p.name for p in load_rule_packs(two_packs)] == ["v2025", "v2026"]


def test_each_claim_judged_by_the_pack_in_force_on_its_start(two_packs):
    packs = load_rule_packs(two_packs)
    rows = [
        {"start_date": "2025-12-31", "end_date": "2026-01-10"},  # last day of v2025: 35 ok
        {"start_date": "2026-01-01", "end_date": "2026-01-10"},  # first day of v2026: 35 < 40
        {"start_date": None},  # unreadable start: the latest pack (and D001)
    ]
    inputs = claims_inputs(rows)
    assert assign_packs(inputs.claims, packs)["_pack"].to_list() == [0, 1, 1]
    result = run_rules_by_pack(inputs, packs)
    t201 = result.exceptions.filter(code="T201")["source_row"].to_list()
    assert t201 == [3, 4]
    assert [(p["name"], p["claims"]) for p in result.packs] == [("v2025", 1), ("v2026", 2)]


def test_rules_across_claims_see_the_whole_batch(two_packs):
    """S306 under v2026 still sees the v2025 claim of the same person and class."""
    packs = load_rule_packs(two_packs)
    rows = [
        {"start_date": "2025-12-20", "end_date": "2026-01-02"},
        {"start_date": "2026-01-02", "end_date": "2026-01-15"},
    ]
    result = run_rules_by_pack(claims_inputs(rows), packs)
    assert result.exceptions.filter(code="S306")["source_row"].to_list() == [3]


def test_a_claim_no_pack_covers_stops_the_run(two_packs):
    packs = load_rule_packs(two_packs)
    inputs = claims_inputs([{}, {"start_date": "2024-12-31"}])
    with pytest.raises(UserInputError) as caught:
        run_rules_by_pack(inputs, packs)
    assert caught.value.zh.startswith("有 1 笔申领的开班日期不在任何规则包的有效期内（第 3 行）")


def test_one_pack_judges_every_claim():
    result = run_rules_by_pack(claims_inputs([{"start_date": "2020-01-01"}]), [load_rule_pack()])
    assert result.packs[0]["claims"] == 1


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ((("2025-01-01", "2025-12-31"), ("2025-12-31", "")), "有效期重叠"),
        ((("2025-01-01", ""), ("2026-01-01", "")), "有效期重叠"),
        ((("", ""), ("2026-01-01", "")), "有效期重叠"),
        ((("2025-13-01", ""),), "不是日期"),
        ((("2025-06-01", "2025-05-31"),), "早于生效日期"),
    ],
)
def test_bad_pack_periods_exit_2(tmp_path, periods, message):
    paths = [write_pack(tmp_path / f"p{i}.toml", *period) for i, period in enumerate(periods)]
    with pytest.raises(UserInputError, match=message):
        load_rule_packs(paths)


def test_two_packs_through_the_command_line(tmp_path, two_packs):
    # another project: the same one again within a year would also be S305
    row_2025 = [*ROW[:2], "P2025", "C0", "2025-06-02", "2025-06-15", *ROW[6:]]
    claims = write_csv(tmp_path / "c.csv", [HEADERS, row_2025, ROW])
    args = ["check", str(claims), "--json", str(tmp_path / "r.json")]
    proc = run(*args, "--rules", str(two_packs[0]), "--rules", str(two_packs[1]))
    assert proc.returncode == 1, proc.stderr
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [(e["code"], e["source_row"]) for e in document["exceptions"]] == [("T201", 3)]
    packs = document["manifest"]["rule_packs"]
    assert [(p["name"], p["effective_from"], p["claims"]) for p in packs] == [
        ("v2025", "2025-01-01", 1),
        ("v2026", "2026-01-01", 1),
    ]
    overlap = write_pack(tmp_path / "overlap.toml", "2025-06-01", "")
    proc = run(*args, "--rules", str(two_packs[1]), "--rules", str(overlap))
    assert proc.returncode == 2 and "有效期重叠" in proc.stderr.splitlines()[0]
