"""S302–S305, S307 and P106 with a history: the ledger's part of each rule, built from
claims as an earlier batch would have recorded them."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from tests.conftest import claims_inputs, flagged, id_for
from wudi_audit.errors import UserInputError
from wudi_audit.ledger.record import ledger_rows
from wudi_audit.normalise.table import normalize
from wudi_audit.read.raw import RawTable, SourceFile
from wudi_audit.schema.ledger import HISTORY_SCHEMA
from wudi_audit.schema.tables import BUDGET, STANDARDS, TableSchema


def history_from(rows: list[dict], batch_id: str = "2026第1批") -> pl.DataFrame:
    """The ledger's records of an earlier batch whose claims all passed."""
    earlier = claims_inputs(rows).claims.with_columns(pl.lit("pass").alias("verdict"))
    recorded = ledger_rows(
        earlier,
        batch_id=batch_id,
        content_hash="a" * 64,
        source_file="old.xlsx",
        verdicts=("pass",),
        added_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    with_year = recorded.with_columns(pl.col("end_date").dt.year().cast(pl.Int32).alias("year"))
    return with_year.select(list(HISTORY_SCHEMA))


def with_history(rows: list[dict], history: list[dict], **extra):
    inputs = claims_inputs(rows, **extra)
    inputs.history = history_from(history)
    return inputs


def reference(schema: TableSchema, rows: list[dict]) -> pl.DataFrame:
    data = {f.name: [r.get(f.name) for r in rows] for f in schema.fields}
    frame = pl.DataFrame(data, schema={f.name: pl.String for f in schema.fields}).with_columns(
        pl.int_range(2, len(rows) + 2, dtype=pl.Int64).alias("source_row"),
        pl.lit("ref.xlsx").alias("source_file"),
        pl.lit("Sheet1").alias("source_sheet"),
    )
    return normalize(RawTable(schema, frame, [SourceFile("ref.xlsx", "0", "xlsx")]))


def rows_of(result: pl.DataFrame) -> list[int]:
    return result["source_row"].to_list()


def other(n: int, **fields) -> dict:
    """Another training of the base person: class and project n, ending in 2026."""
    return {"class_id": f"OLD{n}", "project_code": f"OLD-{n}", "end_date": "2026-02-01", **fields}


# ---- S303 ---------------------------------------------------------------------------


def test_s303_ledger_already_holding_three_flags_the_first_batch_claim():
    inputs = with_history([{}], [other(1), other(2), other(3)])
    result = flagged("S303", inputs)
    assert rows_of(result) == [2]
    evidence = json.loads(result["evidence"].item())
    assert evidence["ledger_count"] == 3 and evidence["count"] == 4
    assert {c["batch_id"] for c in evidence["ledger_claims"]} == {"2026第1批"}


def test_s303_ledger_holding_two_allows_one_more():
    rows = [{}, {"class_id": "B2", "project_code": "P2", "end_date": "2026-03-20"}]
    result = flagged("S303", with_history(rows, [other(1), other(2)]))
    assert rows_of(result) == [3]  # the later end date is the 4th


def test_s303_ledger_trainings_of_another_year_do_not_count():
    history = [other(i, end_date="2025-12-31") for i in range(3)]
    assert flagged("S303", with_history([{}], history)).height == 0


# ---- S304 / S305 --------------------------------------------------------------------

OCC = {"occupation": "电工", "level": "五级"}


@pytest.mark.parametrize(("ledger_end", "expected"), [("2025-03-15", [2]), ("2025-03-14", [])])
def test_s304_day_365_against_the_ledger_is_a_repeat_day_366_is_not(ledger_end, expected):
    inputs = with_history([OCC], [other(1, end_date=ledger_end, **OCC)])
    result = flagged("S304", inputs)
    assert rows_of(result) == expected
    if expected:
        evidence = json.loads(result["evidence"].item())
        assert evidence["earlier_in_ledger"]["batch_id"] == "2026第1批"
        assert evidence["earlier_in_ledger"]["end_date"] == ledger_end
        assert "2026第1批" in result["message_zh"].item()


def test_s304_levels_are_compared_by_name():
    inputs = with_history([OCC], [other(1, occupation="电 工", level="初级工")])
    assert rows_of(flagged("S304", inputs)) == [2]
    other_level = with_history([OCC], [other(1, occupation="电工", level="四级")])
    assert flagged("S304", other_level).height == 0


def test_s304_a_ledger_claim_ending_after_the_batch_claim_is_within_the_window():
    inputs = with_history([OCC], [other(1, end_date="2026-09-01", **OCC)])
    assert rows_of(flagged("S304", inputs)) == [2]


def test_s304_first_batch_claim_stands_unless_the_ledger_holds_a_match():
    batch = [OCC, {**OCC, "class_id": "B2", "project_code": "P2", "end_date": "2026-06-01"}]
    assert rows_of(flagged("S304", claims_inputs(batch))) == [3]
    both = flagged("S304", with_history(batch, [other(1, end_date="2025-12-01", **OCC)]))
    assert rows_of(both) == [2, 3]
    # the later one cites the batch claim it repeats
    assert json.loads(both["evidence"][1])["earlier_in_batch"]["source_row"] == 2


def test_s305_against_the_ledger_and_the_own_batch_left_out():
    same_project = [other(1, project_code="WDGJ2026-001", end_date="2025-06-01")]
    assert rows_of(flagged("S305", with_history([{}], same_project))) == [2]
    assert flagged("S305", claims_inputs([{}])).height == 0


# ---- S302 ---------------------------------------------------------------------------


def standards(*entries: tuple[str, str, str]) -> dict:
    rows = [{"occupation": o, "level": lv, "amount": a} for o, lv, a in entries]
    return {"standards": reference(STANDARDS, rows)}


@pytest.mark.parametrize(
    ("amount", "entries", "expected"),
    [
        ("840", [("电工", "五级", "840"), ("电工", "四级", "2000")], []),
        ("840.01", [("电工", "五级", "840"), ("电工", "四级", "2000")], [2]),
        ("840.01", [("电工", "四级", "2000"), ("电工", "培训合格证", "840")], [2]),
        ("840.01", [("电工", "五级", "900"), ("电工", "培训合格证", "500")], []),
        ("5000", [("焊工", "五级", "100")], []),
    ],
    ids=["at-the-standard", "one-fen-over", "no-5th-level-uses-certificate", "5th-wins", "other"],
)
def test_s302_standard_for_the_occupation(amount, entries, expected):
    inputs = claims_inputs([{**OCC, "amount": amount}], references=standards(*entries))
    result = flagged("S302", inputs)
    assert rows_of(result) == expected
    if expected:
        assert result["amount_at_stake_fen"].item() == 1


# ---- S307 ---------------------------------------------------------------------------


def budget(*entries: dict) -> dict:
    return {"budget": reference(BUDGET, list(entries))}


def test_s307_budget_met_to_the_fen_passes_one_fen_over_flags():
    rows = [{}, {"class_id": "B2"}]  # 840 + 840 = 1680.00
    met = claims_inputs(rows, references=budget({"district": "吴中区", "amount": "1680"}))
    assert flagged("S307", met).height == 0
    over = claims_inputs(rows, references=budget({"district": "吴中区", "amount": "1679.99"}))
    result = flagged("S307", over)
    assert rows_of(result) == [3]
    assert result["amount_at_stake_fen"].item() == 1


def test_s307_ledger_claims_of_the_year_count_first():
    inputs = claims_inputs([{}], references=budget({"district": "吴中区", "amount": "1000"}))
    inputs.history_totals = pl.DataFrame(
        {"dimension": ["district"], "key": ["吴中区"], "year": [2026], "amount_fen": [20000]},
        schema=inputs.history_totals.schema,
    )
    result = flagged("S307", inputs)
    assert rows_of(result) == [2]
    evidence = json.loads(result["evidence"].item())
    assert evidence["ledger_spent"] == 200.0 and evidence["running_total"] == 1040.0
    assert result["amount_at_stake_fen"].item() == 4000  # 1040 − 1000


def test_s307_year_entry_wins_over_an_empty_year_entry():
    entries = budget(
        {"district": "吴中区", "amount": "100"},
        {"district": "吴中区", "year": "2026年度", "amount": "5000"},
    )
    assert flagged("S307", claims_inputs([{}], references=entries)).height == 0
    other_year = budget(
        {"district": "吴中区", "amount": "100"},
        {"district": "吴中区", "year": "2025年", "amount": "5000"},
    )
    assert rows_of(flagged("S307", claims_inputs([{}], references=other_year))) == [2]


def test_s307_source_row_order_and_project_budgets():
    rows = [{"end_date": "2026-06-01"}, {"class_id": "B2", "end_date": "2026-03-15"}]
    entries = budget({"project_code": "WDGJ2026-001", "year": "2026", "amount": "1000"})
    # by source row, not end date: the second row passes the budget
    assert rows_of(flagged("S307", claims_inputs(rows, references=entries))) == [3]


def test_s307_unreadable_amounts_add_nothing():
    rows = [{"amount": "abc"}, {"class_id": "B2", "amount": "-500"}, {"class_id": "B3"}]
    entries = budget({"district": "吴中区", "amount": "840"})
    assert flagged("S307", claims_inputs(rows, references=entries)).height == 0


def test_s307_unusable_budget_year_stops_the_run():
    entries = budget({"district": "吴中区", "year": "明年", "amount": "840"})
    with pytest.raises(UserInputError, match="总额控制预算名单第 2 行"):
        flagged("S307", claims_inputs([{}], references=entries))


# ---- P106 ---------------------------------------------------------------------------


def test_p106_against_the_ledger():
    result = flagged("P106", with_history([{}], [other(1, name="李四")]))
    assert rows_of(result) == [2]
    evidence = json.loads(result["evidence"].item())
    assert evidence == {
        "other_names": ["李四"],
        "other_names_count": 1,
        "ledger_batches": ["2026第1批"],
        "ledger_batches_count": 1,
    }
    assert "台账" in result["message_zh"].item()
    assert flagged("P106", with_history([{}], [other(1, name="张 三")])).height == 0


# ---- P107 / S308 against the ledger -------------------------------------------------


def with_scan(rows: list[dict], history: list[dict], **extra):
    inputs = claims_inputs(rows, **extra)
    inputs.history = history_from(history)
    inputs.history_named = inputs.history.select("name", "id_number", "source_row", "batch_id")
    return inputs


def test_p107_against_the_ledger_with_a_fresh_check_character():
    # 320505199001011233 altered in the 16th digit, check character recomputed
    inputs = with_scan([{}], [other(1, id_number="320505199001011243")])
    result = flagged("P107", inputs)
    assert rows_of(result) == [2]
    evidence = json.loads(result["evidence"].item())
    assert evidence["other_numbers"] == [
        {"id_number": "320505199001011243", "batch_id": "2026第1批", "source_row": 2}
    ]
    assert "台账批次“2026第1批”" in result["message_zh"].item()


def test_p107_clean_against_the_ledger():
    same_person = [other(1)]  # the same number: P106/S30x territory
    two_apart = [other(1, id_number="320505199001012243")]
    other_name = [other(1, id_number="320505199001011243", name="李四")]
    for history in (same_person, two_apart, other_name):
        assert flagged("P107", with_scan([{}], history)).height == 0


CERT = {"certificate_no": "ZS 2026-0001"}


def test_s308_across_persons_in_the_batch_and_case_folded():
    rows = [CERT, {"certificate_no": "zs2026-0001", "id_number": "11010519491231002X"}]
    result = flagged("S308", claims_inputs(rows))
    assert rows_of(result) == [2, 3]
    assert json.loads(result["evidence"][0])["other_claims"][0]["source_row"] == 3


def test_s308_against_the_ledger_but_not_the_same_claim_recorded_again():
    reused = [other(1, id_number="11010519491231002X", certificate_no="ZS2026-0001")]
    result = flagged("S308", with_scan([CERT], reused))
    assert rows_of(result) == [2]
    assert json.loads(result["evidence"].item())["other_claims"][0]["batch_id"] == "2026第1批"
    same_claim = [{"certificate_no": "ZS2026-0001"}]  # same person and class, paid before
    assert flagged("S308", with_scan([CERT], same_claim)).height == 0


def test_s308_empty_cells_never_match_and_no_column_is_not_run():
    rows = [{"certificate_no": ""}, {"certificate_no": None, "id_number": "11010519491231002X"}]
    assert flagged("S308", claims_inputs(rows)).height == 0
    from wudi_audit.checks import REGISTRY
    from wudi_audit.checks.engine import applicable

    ran, (reason_zh, _) = applicable(REGISTRY["S308"], claims_inputs([{}]))
    assert not ran and "证书编号" in reason_zh


def test_mask_ids_masks_the_other_numbers_in_evidence():
    from wudi_audit.checks.engine import run_rules
    from wudi_audit.report.json_doc import to_json
    from wudi_audit.report.tables import build_report
    from wudi_audit.rules.pack import load_rule_pack

    pack = load_rule_pack()
    inputs = with_scan([{}], [other(1, id_number="320505199001011243")])
    document = json.loads(to_json(build_report(run_rules(inputs, pack), pack, {}, mask_ids=True)))
    [p107] = [e for e in document["exceptions"] if e["code"] == "P107"]
    assert p107["evidence"]["other_numbers"][0]["id_number"] == "320505********1243"
    assert p107["id_number"] == "320505********1233"
    assert "320505199001011243" not in json.dumps(document, ensure_ascii=False)


@pytest.mark.parametrize("empty", ["id_number", "class_id"])
def test_s308_a_claim_is_never_its_own_evidence_with_an_empty_key(empty):
    # issue 22: on independent batches S308 flagged a claim whose identity number or class
    # was empty against its own row (6 false alarms in 4,000 claims)
    alone = {**CERT, empty: ""}
    assert flagged("S308", claims_inputs([alone])).height == 0
    # two such claims sharing a number: each cites the other, never itself
    pair = [alone, {**alone, "id_number": "11010519491231002X"} if empty == "class_id" else alone]
    result = flagged("S308", claims_inputs(pair))
    assert rows_of(result) == [2, 3]
    cited = [json.loads(e)["other_claims"] for e in result["evidence"]]
    assert [[o["source_row"] for o in c] for c in cited] == [[3], [2]]
    assert [json.loads(e)["other_claims_count"] for e in result["evidence"]] == [1, 1]


def test_s308_many_claims_of_one_number_list_ten_and_count_all():
    rows = [
        {**CERT, "id_number": id_for("1990-01-01", serial=n), "class_id": f"K{n}"}
        for n in range(1, 40)
    ]
    result = flagged("S308", claims_inputs(rows))
    assert result.height == 39
    first = json.loads(result["evidence"][0])
    assert len(first["other_claims"]) == 10 and first["other_claims_count"] == 38
    assert [o["source_row"] for o in first["other_claims"]] == list(range(3, 13))


def test_the_ledger_finds_a_batch_name_written_with_spaces_and_only_the_batchs(tmp_path):
    """Names are compared without spaces when the ledger is read (P107 looks the batch's
    names up there): `王 伟` in the ledger is the batch's 王伟, `李 四` is no one's and is
    not kept."""
    from wudi_audit.ledger.history import read_history
    from wudi_audit.ledger.record import write_batch

    def rows(name: str, serial: int) -> dict:
        return {"name": name, "id_number": id_for("1985-05-05", serial=serial), **other(serial)}

    earlier = [rows("王 伟", 1), rows("王伟", 2), rows("李 四", 3), rows("张三", 4)]
    recorded = ledger_rows(
        claims_inputs(earlier).claims.with_columns(pl.lit("pass").alias("verdict")),
        batch_id="2025第9批",
        content_hash="b" * 64,
        source_file="old.xlsx",
        verdicts=("pass",),
        added_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    folder = tmp_path / "ledger"
    write_batch(
        folder, lambda: recorded, batch_id="2025第9批", content_hash="b" * 64, replace=False
    )
    batch = claims_inputs([{"name": "王伟", "id_number": id_for("1990-01-01", serial=9)}]).claims
    history = read_history(
        folder, batch, batch_id="新批", content_hash="c" * 64, window_days=365, with_totals=False
    )
    assert sorted(history.records["name"].to_list()) == ["王 伟", "王伟"]


def test_the_ledger_keeps_the_batchs_paid_records_and_its_persons_returned_claims(tmp_path):
    """read_history finds its rows by their place, then reads them whole: the paid records
    of the batch's persons, names, phones and certificates, the returned claims of the
    batch's persons only, and nothing else."""
    from wudi_audit.ledger.history import read_history
    from wudi_audit.ledger.record import write_batch

    person, stranger = id_for("1990-01-01", serial=9), id_for("1980-03-03", serial=5)

    def rows(serial: int, **fields: str) -> dict:
        number = id_for("1985-05-05", serial=serial)
        return {"name": f"路人{serial}", "id_number": number, **other(serial), **fields}

    earlier = [
        rows(1, id_number=person),  # the person, paid
        rows(2, id_number=person),  # the person, returned
        rows(3, phone="139 0000 0001"),  # the batch's phone, written with spaces
        rows(4, certificate_no="ZS-0001"),  # the batch's certificate
        rows(5, id_number=stranger),  # a stranger, returned
        rows(6),  # a stranger, paid
    ]
    verdicts = ["pass", "reject", "pass", "pass", "reject", "pass"]
    recorded = ledger_rows(
        claims_inputs(earlier).claims.with_columns(pl.Series("verdict", verdicts)),
        batch_id="2025第9批",
        content_hash="b" * 64,
        source_file="old.xlsx",
        verdicts=("pass",),
        added_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    folder = tmp_path / "ledger"
    write_batch(
        folder, lambda: recorded, batch_id="2025第9批", content_hash="b" * 64, replace=False
    )
    batch = claims_inputs(
        [{"id_number": person, "phone": "13900000001", "certificate_no": "zs-0001"}]
    ).claims
    history = read_history(
        folder, batch, batch_id="新批", content_hash="c" * 64, window_days=365, with_totals=False
    )
    assert sorted(history.records["source_row"].to_list()) == [2, 4, 5]
    assert history.returned["source_row"].to_list() == [3]
    assert history.strikes.height == 0  # returned without a training code
