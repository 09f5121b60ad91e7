"""Decide a file's format from its content, and refuse hostile files before parsing (SPEC §6)."""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from wudi_audit.errors import UserInputError
from wudi_audit.read.ole import check_xls, encrypted_error, old_biff_version, old_format_error
from wudi_audit.read.raw import ReadLimits

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PARQUET_MAGIC = b"PAR1"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

EXTENSION_FORMATS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".xlsb": "xlsb",
    ".ods": "ods",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class SniffResult:
    format: str  # xlsx | xlsb | ods | xls | csv | parquet
    extension_mismatch: bool


def sniff_format(path: Path, content: bytes) -> SniffResult:
    if not content:
        raise UserInputError(f"文件为空：{path}", f"file is empty: {path}")
    head = content[:8]
    if head.startswith(ZIP_MAGIC):
        detected = _zip_kind(path, content)
    elif head.startswith(OLE_MAGIC):
        if ENCRYPTION_STREAM in content:  # an encrypted xlsx/xlsb is an OLE file too
            raise encrypted_error(str(path))
        check_xls(content, str(path))
        detected = "xls"
    elif head.startswith(PARQUET_MAGIC):
        detected = "parquet"
    elif (version := old_biff_version(content)) is not None:
        raise old_format_error(str(path), version)
    elif _looks_like_text(content[:4096]):
        detected = "csv"
    else:
        raise UserInputError(
            f"无法识别的文件格式（不是 xlsx/xls/xlsb/ods/csv/parquet）：{path}",
            f"not a spreadsheet (xlsx/xls/xlsb/ods/csv/parquet): {path}",
        )
    expected = EXTENSION_FORMATS.get(path.suffix.lower())
    return SniffResult(detected, expected is not None and expected != detected)


def _zip_kind(path: Path, content: bytes) -> str:
    """xlsx, xlsb (binary parts) or ods (OpenDocument, encrypted when its manifest says
    so). A zip that cannot be opened is left to the xlsx checks, which call it damaged."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "xl/workbook.xml" in names or "mimetype" not in names:
                return "xlsx"
            if not archive.read("mimetype")[:64].startswith(b"application/vnd.oasis"):
                return "xlsx"
            if "META-INF/manifest.xml" in names:
                with archive.open("META-INF/manifest.xml") as stream:
                    manifest = stream.read(1 << 20)
                if b"encryption-data" in manifest:
                    raise encrypted_error(str(path))
            return "ods"
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error):
        return "xlsx"


# What the native xlsx reader allocates from the file's own numbers: a shared-string
# table sized by its `uniqueCount`, and a sheet's cells as one block spanning the first to
# the last cell (two cells at A1 and XFD1048576 ask for 17 billion). A sheet of up to this
# many uncompressed bytes is scanned for its cell positions (well under a second).
SCANNED_SHEET_BYTES = 32 << 20
MAX_SHEET_CELLS = 50_000_000
_SST_COUNT = re.compile(rb'uniqueCount="([0-9]{1,20})"')
# a cell element with content (an empty `<c r="XFD1048576"/>` is skipped by the reader)
_CELL_REF = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,10})"[^>]*(?<!/)>'
)


def _check_xlsx_sizes(path: Path, archive: zipfile.ZipFile, entry, head: bytes) -> None:
    name = entry.filename
    found = _SST_COUNT.search(head) if name.endswith("sharedStrings.xml") else None
    # each string takes at least `<si><t/></si>` (13 bytes); a small excess is harmless
    if found and int(found.group(1)) > max(entry.file_size // 13 + 1, 1_000_000):
        raise _too_large(path, f"{name} declares {int(found.group(1)):,} strings")
    if name.startswith("xl/worksheets/") and entry.file_size <= SCANNED_SHEET_BYTES:
        cells = _CELL_REF.findall(archive.read(entry))
        if not cells:
            return
        rows = [int(r) for _, r in cells]
        columns = [_column_number(c) for c, _ in cells]
        area = (max(rows) - min(rows) + 1) * (max(columns) - min(columns) + 1)
        if area > MAX_SHEET_CELLS:
            raise _too_large(path, f"{name} spans {area:,} cells")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _too_large(path: Path, detail: str) -> UserInputError:
    return UserInputError(
        f"文件声明的表格规模超出合理范围（疑似损坏或恶意构造），已拒绝：{path}；详情：{detail}",
        f"refused: the file declares a table far larger than its content "
        f"(damaged or hostile): {path}; detail: {detail}",
    )


def _looks_like_text(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in sample


def check_zip_limits(path: Path, content: bytes, limits: ReadLimits) -> None:
    """Refuse a zip bomb or an XML entity attack before any entry is expanded."""
    import io

    source = io.BytesIO(content)
    max_uncompressed, max_ratio = limits.max_uncompressed_bytes, limits.max_compression_ratio
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
            total = sum(e.file_size for e in entries)
            packed = sum(e.compress_size for e in entries) or 1
            if total > max_uncompressed or total / packed > max_ratio:
                raise UserInputError(
                    f"文件解压后过大（{total:,} 字节，压缩比 {total / packed:.0f}:1），"
                    f"疑似压缩炸弹，已拒绝：{path}",
                    f"refused: the archive expands to {total:,} bytes "
                    f"(ratio {total / packed:.0f}:1), above the limit: {path}",
                )
            for entry in entries:
                if entry.filename.endswith((".xml", ".rels")):
                    with archive.open(entry) as stream:
                        head = stream.read(4096)
                    _check_xlsx_sizes(path, archive, entry, head)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise UserInputError(
                            f"文件含 XML 实体声明（DTD），已拒绝：{path}",
                            f"refused: XML with a DTD/entity declaration: {path}",
                        )
    except zipfile.BadZipFile as exc:
        raise UserInputError(
            f"文件已损坏或被截断，无法读取：{path}", f"file is damaged or truncated: {path}"
        ) from exc
