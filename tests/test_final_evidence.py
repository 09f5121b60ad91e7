"""P107's evidence held as places until it is written (issue 21): a million flagged claims
hold ten small integers each, not 800 MB of text; each writer makes final the slice it
writes. What is written is what the rule's evidence always was (SPEC §2, P107)."""

from __future__ import annotations

import json

import polars as pl

from tests.conftest import claims_inputs
from tests.test_history_rules import other, with_scan
from wudi_audit.checks import REGISTRY
from wudi_audit.checks.base import with_final_evidence
from wudi_audit.checks.engine import run_rules
from wudi_audit.report import json_doc
from wudi_audit.report.json_doc import to_json
from wudi_audit.report.tables import build_report
from wudi_audit.rules.pack import load_rule_pack

A, B, C = "320505199001011233", "320505199001011243", "320505199001011253"


def _report(inputs, mask_ids: bool = False):
    pack = load_rule_pack()
    return build_report(run_rules(inputs, pack), pack, {}, mask_ids=mask_ids)


def _inputs():
    # rows 2 and 3 in the batch, one digit apart; the ledger holds a third number
    rows = [{"id_number": A, "class_id": "C1"}, {"id_number": B, "class_id": "C2"}]
    return with_scan(rows, [other(1, id_number=C)])


def test_the_rule_gives_places_and_the_expander_gives_the_records():
    inputs = _inputs()
    rule = REGISTRY["P107"]
    found = rule.check(inputs, load_rule_pack()).collect().sort("row_id")
    places = [json.loads(e) for e in found["evidence"]]
    assert all(set(p) == {"_records", "other_claims"} for p in places)
    assert all(isinstance(i, int) for p in places for i in p["_records"])
    final = [json.loads(e) for e in with_final_evidence(rule, inputs, found)["evidence"]]
    assert final[0] == {
        "other_numbers": [
            {"id_number": B, "batch_id": None, "source_row": 3},
            {"id_number": C, "batch_id": "2026第1批", "source_row": 2},
        ],
        "other_claims": 2,
    }
    assert [o["id_number"] for o in final[1]["other_numbers"]] == [A, C]


def test_the_report_holds_places_and_writes_records_in_json_and_words():
    report = _report(_inputs())
    p107 = report.exceptions.filter(pl.col("code") == "P107")
    assert p107.height == 2
    assert all('"_records"' in e for e in p107["evidence_json"])  # held small
    assert B in p107["evidence"][0] and "本批次第 3 行" in p107["evidence"][0]  # the words
    written = [e for e in json.loads(to_json(report))["exceptions"] if e["code"] == "P107"]
    assert [e["evidence"]["other_numbers"][0]["id_number"] for e in written] == [B, A]
    assert all("_records" not in e["evidence"] for e in written)
    # writing made a copy: the report still holds places, and writes the same again
    assert report.exceptions.filter(pl.col("code") == "P107")["evidence_json"].equals(
        p107["evidence_json"]
    )
    assert to_json(report) == to_json(report)


def test_masked_report_masks_the_numbers_put_into_the_evidence():
    report = _report(_inputs(), mask_ids=True)
    text = to_json(report)
    assert A not in text and B not in text and C not in text
    written = [e for e in json.loads(text)["exceptions"] if e["code"] == "P107"]
    number = written[0]["evidence"]["other_numbers"][0]["id_number"]
    assert number.startswith("320505") and "*" in number
    words = report.exceptions.filter(pl.col("code") == "P107")["evidence"][0]
    assert B not in words and "320505" in words


def test_json_made_final_a_slice_at_a_time_is_the_same(monkeypatch):
    # slices that cut between P107 rows and the other rules' rows
    rows = [{"id_number": f"3205051990010112{i}3", "class_id": f"C{i}"} for i in range(5)]
    rows += [{"id_number": "bad", "class_id": "C9"}]
    report = _report(claims_inputs(rows))
    whole = to_json(report)
    for size in (1, 2, 3):
        monkeypatch.setattr(json_doc, "SLICE", size)
        assert to_json(report) == whole
    assert whole.count('"code":"P107"') == 5


def test_words_made_final_a_slice_at_a_time_are_the_same(monkeypatch):
    from wudi_audit.report import tables

    rows = [{"id_number": f"3205051990010112{i}3", "class_id": f"C{i}"} for i in range(4)]
    rows += [{"id_number": "bad", "class_id": "C9"}]
    whole = _report(claims_inputs(rows)).exceptions["evidence"]
    monkeypatch.setattr(tables, "WORDS_AT_A_TIME", 1)
    assert _report(claims_inputs(rows)).exceptions["evidence"].equals(whole)
    assert whole.str.contains("相近号码").sum() == 4


def test_masked_records_are_what_masking_the_written_evidence_gives():
    """P107's records masked by Polars before they are written (--mask-ids) hold what
    masking the plain evidence afterwards (`mask_evidence`, the other rules' way) gives,
    in the JSON and in the words."""
    from wudi_audit.report.final_evidence import mask_evidence

    rows = [{"id_number": f"3205051990010112{i}3", "class_id": f"C{i}"} for i in range(4)]
    plain, masked = _report(claims_inputs(rows)), _report(claims_inputs(rows), mask_ids=True)
    p107 = [r.exceptions.filter(pl.col("code") == "P107") for r in (plain, masked)]
    expected = mask_evidence(plain.final_evidence.of(p107[0])).to_list()
    got = masked.final_evidence.of(p107[1]).to_list()
    assert len(got) == 4 and all("*" in text for text in got)
    assert [json.loads(t) for t in got] == [json.loads(t) for t in expected]
    assert p107[1]["evidence"].str.contains(r"\*").all()
    assert not p107[1]["evidence"].str.contains("3205051990010112").any()
