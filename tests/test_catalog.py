"""O407 and `wudi-audit catalog check`: the catalogue against the urban-rural list."""

from __future__ import annotations

import json

import fastexcel
import pytest

from tests.conftest import claims_inputs
from tests.provider_cases import inputs_with_lists
from tests.test_cli import run
from tests.test_reader import write_csv, write_xlsx
from wudi_audit.checks import REGISTRY
from wudi_audit.checks.engine import run_rules
from wudi_audit.rules.pack import load_rule_pack

CATALOG = [
    {"project_code": "A1", "project_name": "工业机器人运维", "occupation": "工业机器人系统运维员"},
    {"project_code": "A2", "project_name": "智慧养老", "occupation": "家政服务员"},  # occupation
    {"project_code": "A3", "project_name": "“家政 服务”", "occupation": "育婴员"},  # name, folded
    {"project_code": "A4", "project_name": "家政服务提升", "occupation": None},  # not exact
    {"project_code": "A5", "project_name": None, "occupation": None},
]
URBAN_RURAL = [{"project_name": "家政服务", "occupation": "家政服务员"}, {"occupation": "电工"}]


def overlaps(catalog: list[dict], urban_rural: list[dict]) -> list[str]:
    inputs = inputs_with_lists([{}], {"catalog": catalog, "urban_rural": urban_rural})
    flags = REGISTRY["O407"].check(inputs, load_rule_pack()).collect()
    rows = inputs.references["catalog"].select("row_id", "project_code")
    return sorted(flags.join(rows, on="row_id")["project_code"].to_list())


def test_overlap_by_occupation_or_normalised_name():
    assert overlaps(CATALOG, URBAN_RURAL) == ["A2", "A3"]


def test_no_overlap():
    assert overlaps(CATALOG[:1], URBAN_RURAL) == []


def test_both_matches_give_one_flag_per_entry():
    catalog = [{"project_code": "B1", "project_name": "家政服务", "occupation": "家政服务员"}]
    assert overlaps(catalog, URBAN_RURAL) == ["B1"]


def test_o407_is_not_run_on_a_batch():
    inputs = inputs_with_lists([{}], {"catalog": CATALOG, "urban_rural": URBAN_RURAL})
    result = run_rules(inputs, load_rule_pack())
    assert "O407" in result.rules_skipped
    assert "wudi-audit catalog check" in result.rules_skipped["O407"][0]
    assert "O407" not in result.exceptions["code"].to_list()
    assert "O407" in run_rules(claims_inputs([{}]), load_rule_pack()).rules_skipped


@pytest.fixture
def lists(tmp_path):
    catalog = write_xlsx(
        tmp_path / "catalog.xlsx",
        [
            ["2026年项目制培训目录清单"],
            ["项目编号", "培训项目", "职业（工种）", "线上补贴标准", "纯线上评估通过"],
            ["A1", "工业机器人运维", "工业机器人系统运维员", "13.6", "否"],
            ["A2", "智慧养老", "家政服务员", "15", "是"],
        ],
    )
    urban = write_csv(tmp_path / "城乡.csv", [["项目名称", "工种"], ["家政服务", "家政服务员"]])
    return catalog, urban


def test_catalog_check_command(tmp_path, lists):
    catalog, urban = lists
    out, doc = tmp_path / "o.xlsx", tmp_path / "o.json"
    proc = run(
        "catalog", "check", str(catalog), "--urban-rural", str(urban), "-o", str(out), "--json",
        str(doc),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "重合 1 项" in proc.stderr + proc.stdout
    document = json.loads(doc.read_text(encoding="utf-8"))
    assert document["summary"] == {"catalog_entries": 2, "overlaps": 1}
    [overlap] = document["overlaps"]
    assert (overlap["code"], overlap["source_row"], overlap["project_code"]) == ("O407", 4, "A2")
    assert (
        overlap["message"]
        == "目录项目 A2 的职业（工种）“家政服务员”与城乡劳动者职业技能培训项目第 2 行重合"
    )
    assert {s["role"] for s in document["manifest"]["inputs"]} == {"catalog", "urban_rural"}
    reader = fastexcel.read_excel(out)
    assert reader.sheet_names == ["目录重合", "运行信息"]
    sheet = reader.load_sheet("目录重合").to_polars()
    assert sheet["项目编号"].to_list() == ["A2"]


def test_catalog_check_without_overlap_exits_0(tmp_path, lists):
    catalog, _ = lists
    urban = write_csv(tmp_path / "u.csv", [["项目名称"], ["电工"]])
    proc = run("catalog", "check", str(catalog), "--urban-rural", str(urban), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "catalog.overlaps.xlsx").exists()


def test_catalog_check_bad_input_exits_2(tmp_path, lists):
    catalog, _ = lists
    bad = write_csv(tmp_path / "u.csv", [["工种", "备注"], ["电工", ""]])  # no 项目名称 column
    out = tmp_path / "o.xlsx"
    proc = run("catalog", "check", str(catalog), "--urban-rural", str(bad), "-o", str(out))
    assert proc.returncode == 2
    assert proc.stderr.startswith("错误：参考名单“城乡劳动者职业技能培训项目”无法使用")
    assert not out.exists()
    proc = run("catalog", "check", str(catalog))  # the list is required
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_readme_rule_table_lists_every_code():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| family | codes |") :].split("\n\n", 1)[0]
    assert all(code in table for code in REGISTRY), sorted(c for c in REGISTRY if c not in table)
