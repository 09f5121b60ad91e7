"""Every rule's flagged, clean and boundary cases, from tests/rule_cases.py."""

from __future__ import annotations

import polars as pl
import pytest

from tests.conftest import claims_inputs, flagged
from tests.person_cases import PERSON_CASES
from tests.rule_cases import CASES
from wudi_audit.checks import REGISTRY
from wudi_audit.rules.pack import RulePack, load_rule_pack

PARAMS = [
    pytest.param(code, rows, expected, id=f"{code}-{name}")
    for code, cases in (CASES | PERSON_CASES).items()
    for name, rows, expected in cases
]


@pytest.mark.parametrize(("code", "rows", "expected"), PARAMS)
def test_rule_case(code, rows, expected):
    inputs = claims_inputs(rows)
    result = flagged(code, inputs)
    assert sorted(result["source_row"].to_list()) == [i + 2 for i in expected]
    assert result["message_zh"].null_count() == 0
    assert result["message_en"].null_count() == 0


def test_every_registered_claims_rule_has_cases():
    claims_only = {c for c, r in REGISTRY.items() if r.needs == ("claims",)}
    assert claims_only <= set(CASES) | set(PERSON_CASES)


def test_t202_message_carries_the_numbers():
    result = flagged("T202", claims_inputs([{"online_hours": "20", "offline_hours": "20"}]))
    assert result["message_zh"].item() == "线上 20 / 总 40 课时 = 50% > 40%"
    assert result["message_en"].item() == "online 20 / total 40 hours = 50% > 40%"


def test_s301_at_stake_is_the_excess_in_fen():
    result = flagged("S301", claims_inputs([{"amount": "900.07"}]))
    assert result["amount_at_stake_fen"].item() == 6007
    assert "840.00" in result["message_zh"].item()


def test_s301_district_override_lowers_the_cap(default_pack):
    pack = RulePack(
        default_pack.name,
        default_pack.path,
        default_pack.sha256,
        default_pack.params,
        districts={"吴中区": {"offline_rate_max": 25}},
    )
    rows = [{}, {"district": "姑苏区"}]
    result = flagged("S301", claims_inputs(rows), pack)
    # 14 × 15 + 21 × 25 = 735 < 840 for 吴中区 only
    assert result["source_row"].to_list() == [2]
    assert result["amount_at_stake_fen"].item() == 10500


def test_s306_evidence_names_the_earlier_row():
    result = flagged("S306", claims_inputs([{}, {}]))
    assert '"earlier_source_row":2' in result["evidence"].item()


def test_rejected_claim_puts_its_whole_amount_at_stake():
    result = flagged("T204", claims_inputs([{"assessment": "不合格", "amount": "500.5"}]))
    assert result["amount_at_stake_fen"].item() == 50050


def test_min_hours_parameter_comes_from_the_pack(default_pack):
    pack = RulePack("p", "p", "0", {**default_pack.params, "min_total_hours": 40}, districts={})
    assert flagged("T201", claims_inputs([{}]), pack).height == 1
    assert flagged("T201", claims_inputs([{}]), load_rule_pack()).height == 0


def test_every_rule_survives_hostile_values(default_pack):
    """Garbage in every typed field: the whole engine runs, each row gets its D flags."""
    from wudi_audit.checks.engine import run_rules

    rows = [
        {"online_hours": "inf", "offline_hours": "NaN", "amount": "-inf", "total_hours": "1e309"},
        {"online_hours": "-5", "offline_hours": "abc", "amount": "1e400"},
        {"start_date": "0", "end_date": "99999", "amount": "", "assessment": "??"},
        {"id_number": "x", "name": "=1+1", "online_hours": None, "offline_hours": None},
        {"start_date": "2026-03-02", "end_date": "2026-03-01", "category": "在校生"},
    ]
    result = run_rules(claims_inputs(rows), default_pack)
    codes = result.exceptions.group_by("source_row").agg(pl.col("code")).sort("source_row")
    by_row = dict(zip(codes["source_row"], codes["code"].to_list(), strict=True))
    assert "D003" in by_row[2] and "D003" in by_row[3] and "D002" in by_row[3]
    assert "D002" in by_row[4] and "D001" in by_row[5]
    assert result.claims.height == len(rows)


def test_rules_side_by_side_give_what_they_give_one_after_another(default_pack, monkeypatch):
    """A small batch's rules run a few at a time (checks/engine.py): the same exceptions,
    in the same order, as one after another; the demo batch flags many rules."""
    from pathlib import Path

    from wudi_audit.checks import engine
    from wudi_audit.normalise.inputs import load_inputs
    from wudi_audit.read.files import reference_files

    demo = Path(__file__).parent.parent / "sample_data"
    inputs = load_inputs(
        demo / "claims.xlsx",
        default_pack,
        attendance=[demo / "attendance.xlsx"],
        references=reference_files(demo / "ref"),
    ).inputs
    side_by_side = engine.run_rules(inputs, default_pack)
    monkeypatch.setattr(engine, "SIDE_BY_SIDE_UP_TO", 0)
    in_turn = engine.run_rules(inputs, default_pack)
    assert side_by_side.exceptions.height > 20
    assert side_by_side.exceptions["code"].n_unique() > 10
    assert side_by_side.exceptions.equals(in_turn.exceptions)
    assert side_by_side.claims.equals(in_turn.claims)


def test_a_rule_that_stops_the_run_stops_it_side_by_side(default_pack):
    from tests.test_history_rules import budget
    from wudi_audit.checks.engine import SIDE_BY_SIDE_UP_TO, run_rules
    from wudi_audit.errors import UserInputError

    entries = budget({"district": "吴中区", "year": "明年", "amount": "840"})
    inputs = claims_inputs([{}, {}], references=entries)
    assert inputs.claims.height <= SIDE_BY_SIDE_UP_TO
    with pytest.raises(UserInputError, match="总额控制预算名单第 2 行"):
        run_rules(inputs, default_pack)
