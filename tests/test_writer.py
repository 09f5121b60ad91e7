"""The workbook writer: continuation sheets past Excel's row limit, atomic outputs."""

from __future__ import annotations

from pathlib import Path

import fastexcel
import pytest

from tests.conftest import claims_inputs, id_for
from wudi_audit.checks.engine import run_rules
from wudi_audit.report import workbook
from wudi_audit.report.outputs import AtomicOutputs, write_bytes_output
from wudi_audit.report.tables import build_report
from wudi_audit.rules.pack import load_rule_pack


def report_for(rows: list[dict], lang: str = "zh"):
    pack = load_rule_pack()
    result = run_rules(claims_inputs(rows), pack)
    return build_report(result, pack, {}, lang=lang)


def test_rows_past_the_sheet_limit_continue_on_further_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_DATA_ROWS", 3)
    # seven different persons (one person in seven classes would also be S303/S305)
    rows = [
        {"assessment": "不合格", "class_id": f"C{i}", "id_number": id_for("1990-01-01", serial=i)}
        for i in range(7)
    ]
    path = tmp_path / "r.xlsx"
    report = report_for(rows)
    assert report.exceptions["code"].to_list() == ["T204"] * 7
    workbook.write_workbook(report, path)
    reader = fastexcel.read_excel(path)
    assert reader.sheet_names[:8] == [
        "汇总",
        "申领审核",
        "申领审核(2)",
        "申领审核(3)",
        "异常明细",
        "异常明细(2)",
        "异常明细(3)",
        "规则",
    ]
    heights = [reader.load_sheet(n).to_polars().height for n in reader.sheet_names[1:4]]
    assert heights == [3, 3, 1]


def test_a_failed_run_leaves_no_output_and_no_temporary(tmp_path):
    outputs = AtomicOutputs()
    target = tmp_path / "r.xlsx"
    temp = outputs.temporary_for(target)
    temp.write_bytes(b"half a workbook")
    outputs.discard()
    assert list(tmp_path.iterdir()) == []


def test_outputs_appear_only_on_commit(tmp_path):
    outputs = AtomicOutputs()
    target = tmp_path / "r.json"
    write_bytes_output(target, b"{}", outputs)
    assert not target.exists()
    outputs.commit()
    assert target.read_bytes() == b"{}"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_existing_output_replaced_whole(tmp_path):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    outputs = AtomicOutputs()
    workbook.write_workbook(report_for([{}]), outputs.temporary_for(target))
    assert target.read_bytes() == b"old"
    outputs.commit()
    assert fastexcel.read_excel(target).sheet_names[0] == "汇总"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_sheet_names_every_rule_not_run(tmp_path, lang):
    path: Path = tmp_path / "r.xlsx"
    workbook.write_workbook(report_for([{}], lang), path)
    summary = fastexcel.read_excel(path).load_sheet(0, header_row=None).to_polars()
    text = " ".join(str(v) for row in summary.rows() for v in row if v is not None)
    assert ("T205 未运行" if lang == "zh" else "T205 not run") in text


def test_streamed_json_has_the_content_of_one_dump_in_any_slice_size(monkeypatch):
    # issue 21: the JSON is written a slice of exceptions at a time, each exception one
    # line encoded by Polars; its content is the one json.dumps(document) gives, whatever
    # the slice, also for names with quotes, back-slashes, line breaks and U+2028
    import json

    import polars as pl

    from wudi_audit.report import json_doc

    report = report_for(
        [
            {
                "assessment": "不合格",
                "class_id": f"C{i}",
                "id_number": id_for("1990-01-01", serial=i),
            }
            for i in range(7)
        ]
        + [{"online_hours": "30", "offline_hours": "10", "amount": "9999"}]
        + [{"assessment": "不合格", "name": 'O"Neil\\王\u2028伟', "class_id": "C\t8"}]
    )
    rows = report.exceptions.select(
        pl.col(c).alias(k) for k, c in json_doc.EXCEPTION_KEYS.items()
    ).with_columns(pl.col("evidence_text").fill_null(""))
    exceptions = rows.to_dicts()
    for e in exceptions:
        e["evidence"] = json.loads(e["evidence"]) if e["evidence"] else {}
    document = {"manifest": report.manifest, "summary": report.summary, "exceptions": exceptions}
    whole = json.dumps(document, ensure_ascii=False, indent=1, default=str)
    assert len(exceptions) > 3
    for size, joined in ((1, 1), (3, 2), (10_000, 2), (10_000, 10_000)):
        monkeypatch.setattr(json_doc, "SLICE", size)
        monkeypatch.setattr(json_doc, "LINES_JOINED", joined)
        text = json_doc.to_json(report)
        assert json.loads(text) == json.loads(whole)
        # every exception is one line of the array (a reader can stream it)
        assert text.count('\n  {"code":') == len(exceptions)
    empty = json_doc.to_json(report_for([{}]))
    assert json.loads(empty)["exceptions"] == [] and '"exceptions": []' in empty
