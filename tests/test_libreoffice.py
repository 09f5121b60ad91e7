"""A real spreadsheet program reads the workbook: LibreOffice converts it to PDF and to CSV
per sheet, and the identity numbers come back as the exact 18-character text."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest

from tests.test_cli import demo  # noqa: F401  (fixture)

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
pytestmark = pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def convert(workbook, target: str, outdir, profile) -> None:
    subprocess.run(
        [
            OFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )


def test_libreoffice_reads_the_workbook(demo, tmp_path):  # noqa: F811
    import fastexcel

    _, out, _ = demo
    workbook = out / "r.xlsx"
    profile = tmp_path / "profile"
    convert(workbook, "pdf", tmp_path, profile)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    convert(workbook, CSV_ALL_SHEETS, tmp_path, profile)
    sheets = {p.stem.split("-", 1)[1]: p for p in tmp_path.glob("r-*.csv")}
    assert set(sheets) == {"汇总", "申领审核", "异常明细", "规则", "运行信息"}
    with sheets["申领审核"].open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["来源行", "申领编号", "姓名", "公民身份号码"]
    ids = [r[3] for r in rows[1:] if not r[3].startswith("已损坏")]
    expected = (fastexcel.read_excel(workbook).load_sheet("申领审核", dtypes="string").to_polars())[
        "公民身份号码"
    ].to_list()
    assert ids == [i for i in expected if not i.startswith("已损坏")]
    long_ids = [i for i in ids if len(i) == 18]
    assert len(long_ids) > 100
    assert all(i[:17].isdigit() for i in long_ids)
    assert not any("E+" in i for i in ids)
    with sheets["异常明细"].open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[:7] == [
        "申领编号",
        "公民身份号码",
        "姓名",
        "规则代码",
        "规则名称",
        "严重程度",
        "说明",
    ]


POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdfinfo, pdftotext) is not installed")
def test_demo_summary_prints_on_at_most_two_landscape_pages(demo, tmp_path):  # noqa: F811
    from scripts.screenshots import page_count, page_size, sheet_pages, to_pdf

    _, out, _ = demo
    pdf = to_pdf(out / "r.xlsx", tmp_path)
    width, height = page_size(pdf)
    assert width > height  # landscape
    pages = sheet_pages(pdf)
    assert list(pages)[:3] == ["summary", "claims", "exceptions"]
    assert 1 <= len(pages["summary"]) <= 2, pages
    # the per-rule counts are on the same page as the rule names: the whole table
    # (names, severities, counts) sits on the summary's first page
    from scripts.screenshots import page_text

    first = page_text(pdf, 1)
    assert "T201 总课时不足" in first and "有问题的申领" in first
    # the whole workbook no longer prints as 25 pages
    assert page_count(pdf) <= 12
