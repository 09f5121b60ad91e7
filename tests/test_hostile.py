"""Files from the wild (SPEC §6), generated here: each one through a real `wudi-audit check`
under a 4 GB address-space limit, with the exact exit code and the message's first line."""

from __future__ import annotations

import io
import json
import os
import resource
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter

from tests.oldfiles import (
    biff8_workbook,
    compound_file,
    label,
    old_biff_workbook,
    truncated_formula,
)
from tests.test_reader import HEADERS, ROW

ADDRESS_SPACE = 4_000_000_000  # a memory-limited server or container


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def check(path: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RUST_BACKTRACE": "full"}  # as on a developer's machine
    return subprocess.run(
        [sys.executable, "-m", "wudi_audit", "check", str(path), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_memory,
        env=env,
    )


def claims_xls(**header: int) -> bytes:
    return compound_file({"Workbook": biff8_workbook([HEADERS, ROW])}, **header)


def xls_with(**kwargs) -> bytes:
    return compound_file({"Workbook": biff8_workbook([HEADERS, ROW], **kwargs)})


def looping_directory() -> bytes:
    """The FAT says the directory sector is followed by itself."""
    content = bytearray(claims_xls())
    struct.pack_into("<I", content, 512 + 4, 1)  # FAT entry of sector 1 → sector 1
    return bytes(content)


def looping_difat() -> bytes:
    """A DIFAT sector whose next-pointer names itself."""
    content = bytearray(claims_xls(difat_start=2, difat_sectors=1))
    struct.pack_into("<I", content, 512 * 3 + 508, 2)
    return bytes(content)


def ods(content_xml: str, manifest_extra: str = "") -> bytes:
    buffer = io.BytesIO()
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    manifest = (
        '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        f'<manifest:file-entry manifest:full-path="content.xml">{manifest_extra}'
        "</manifest:file-entry></manifest:manifest>"
    )
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr(
            "content.xml",
            f'<?xml version="1.0"?><office:document-content {ns}><office:body>'
            f"<office:spreadsheet>{content_xml}</office:spreadsheet></office:body>"
            "</office:document-content>",
        )
    return buffer.getvalue()


def ods_table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    return f'<table:table table:name="明细">{cells}</table:table>'


def no_sheets_xlsx() -> bytes:
    """A workbook whose workbook.xml lists no sheet (`<sheets/>`): issue 19's traceback."""
    import re
    import zipfile

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.add_worksheet("明细").write_row(0, 0, ["姓名", "公民身份号码"])
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S)
            target.writestr(item, data)
    return out.getvalue()


def far_cell_xlsx() -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADERS)
        sheet.write_row(1, 0, ROW)
        sheet.write_string(1048575, 16383, "x")
    return buffer.getvalue()


DAMAGED = "错误：申领明细：文件已损坏（OLE/BIFF 结构与文件大小不符），无法读取："
ENCRYPTED = "错误：申领明细：文件受密码保护（已加密），无法读取："
OLD = "错误：申领明细：这是 Excel 5.0/95 或更早格式的 .xls"
NO_SHEETS = "错误：申领明细：工作簿中没有工作表，文件已损坏或不是有效的表格文件："
XLS_PANIC = "错误：申领明细：.xls 文件已损坏、被截断或不是有效的表格文件："

CORPUS: list[tuple[str, str, Callable[[], bytes], int, str]] = [
    # name, suffix, builder, exit code, first line of the message
    ("mini-FAT count absurd", ".xls", lambda: claims_xls(mini_fat_sectors=0x65016501), 2, DAMAGED),
    ("FAT count absurd", ".xls", lambda: claims_xls(fat_sectors=0x7FFFFFFF), 2, DAMAGED),
    ("DIFAT count absurd", ".xls", lambda: claims_xls(difat_sectors=0x40000000), 2, DAMAGED),
    ("directory start past the end", ".xls", lambda: claims_xls(dir_start=900), 2, DAMAGED),
    (
        "mini FAT start past the end",
        ".xls",
        lambda: claims_xls(mini_fat_start=9999, mini_fat_sectors=1),
        2,
        DAMAGED,
    ),
    ("sector shift absurd", ".xls", lambda: claims_xls(sector_shift=30), 2, DAMAGED),
    ("directory chain loops", ".xls", looping_directory, 2, DAMAGED),
    ("DIFAT chain loops", ".xls", looping_difat, 2, DAMAGED),
    ("dimensions absurd", ".xls", lambda: xls_with(dims=(0, 0xFFFFFFF0, 0, 200)), 2, DAMAGED),
    (
        "cell far outside",
        ".xls",
        lambda: xls_with(extra_cells=label(65535, 65535, "x")),
        2,
        DAMAGED,
    ),
    ("native panic", ".xls", lambda: xls_with(extra_cells=truncated_formula()), 2, XLS_PANIC),
    (
        "RC4 encrypted xls",
        ".xls",
        lambda: xls_with(filepass=struct.pack("<HHH", 1, 1, 1) + b"\0" * 48),
        2,
        ENCRYPTED,
    ),
    (
        "XOR obfuscated xls",
        ".xls",
        lambda: xls_with(filepass=struct.pack("<HHH", 0, 1, 2)),
        2,
        ENCRYPTED,
    ),
    # issue 19: an encrypted sheet's DIMENSIONS is ciphertext (POI's password.xls and
    # xor-encryption-abc.xls were reported as "declares 3,481,987,969 rows"): the
    # encryption is found first
    (
        "RC4 encrypted xls, ciphertext dimensions",
        ".xls",
        lambda: xls_with(
            filepass=struct.pack("<HHH", 1, 1, 1) + b"\0" * 48, dims=(7, 3_481_987_976, 0, 200)
        ),
        2,
        ENCRYPTED,
    ),
    (
        "XOR obfuscated xls, ciphertext dimensions",
        ".xls",
        lambda: xls_with(filepass=struct.pack("<HHH", 0, 1, 2), dims=(0, 0xFFFFFFF0, 0, 255)),
        2,
        ENCRYPTED,
    ),
    ("xlsx with an empty <sheets/>", ".xlsx", no_sheets_xlsx, 2, NO_SHEETS),
    (
        "encrypted ods",
        ".ods",
        lambda: ods("", '<manifest:encryption-data manifest:checksum="x"/>'),
        2,
        ENCRYPTED,
    ),
    ("BIFF5 xls", ".xls", lambda: compound_file({"Book": old_biff_workbook(0x0500)}), 2, OLD),
    ("BIFF2 xls", ".xls", lambda: b"\x09\x00\x04\x00\x02\x00\x10\x00" + b"\0" * 64, 2, OLD),
    (
        "cell at XFD1048576",
        ".xlsx",
        far_cell_xlsx,
        2,
        "错误：申领明细：文件声明的表格规模超出合理范围（疑似损坏或恶意构造），已拒绝：",
    ),
    ("readable xls", ".xls", lambda: xls_with(), 0, "wudi-audit: 申领 1 笔"),
    ("readable ods", ".ods", lambda: ods(ods_table([HEADERS, ROW])), 0, "wudi-audit: 申领 1 笔"),
]


@pytest.mark.parametrize(
    ("suffix", "build", "code", "first_line"),
    [pytest.param(*case[1:], id=case[0]) for case in CORPUS],
)
def test_files_from_the_wild(tmp_path, suffix, build, code, first_line):
    path = tmp_path / f"claims{suffix}"
    path.write_bytes(build())
    before = sorted(p.name for p in tmp_path.iterdir())
    result = check(path, "--fail-on", "never")
    lines = (result.stderr if code == 2 else result.stdout).splitlines()
    assert result.returncode == code, result.stderr[-2000:]
    assert lines and lines[0].startswith(first_line), lines[:2]
    assert "panicked" not in result.stderr and "stack backtrace" not in result.stderr
    assert "Traceback" not in result.stderr
    if code == 2:
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
        assert result.stderr.splitlines()[1].startswith("Error: claims: ")


def test_library_warnings_go_to_the_manifest_not_the_terminal(tmp_path):
    path = tmp_path / "claims.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        chartsheet = book.add_chartsheet("图表")  # first: read (and warned about) first
        sheet = book.add_worksheet("明细")
        sheet.write_row(0, 0, HEADERS)
        sheet.write_row(1, 0, ROW)
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"values": "=明细!$J$2:$J$2"})
        chartsheet.set_chart(chart)
    out = tmp_path / "out.json"
    result = check(path, "--json", str(out), "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    assert "chartsheet" not in result.stderr + result.stdout
    notes = json.loads(out.read_text())["manifest"]["inputs"][0]["notes"]
    assert any("chartsheet" in n for n in notes)


def test_unusable_attendance_is_named_first(tmp_path):
    claims = tmp_path / "claims.xls"
    claims.write_bytes(xls_with())
    attendance = tmp_path / "attendance.xls"
    attendance.write_bytes(claims_xls(fat_sectors=0x7FFFFFFF))
    result = check(claims, "--attendance", str(attendance))
    assert result.returncode == 2
    assert result.stderr.startswith("错误：考勤记录：文件已损坏")
    assert "Error: attendance records: file is damaged" in result.stderr


def test_directory_entry_name_is_not_trusted(tmp_path):
    """A stream named neither Workbook nor Book: damaged, by our check, before the reader."""
    path = tmp_path / "claims.xls"
    path.write_bytes(compound_file({"Other": biff8_workbook([HEADERS, ROW])}))
    result = check(path)
    assert result.returncode == 2 and result.stderr.startswith(DAMAGED)
    assert "no Workbook stream" in result.stderr.splitlines()[0]
