""".xls files checked before the native reader sees them (SPEC §6, resource limits).

An .xls is an OLE compound file (MS-CFB) holding a `Workbook` stream of BIFF records
(MS-XLS). The native reader trusts the sizes and sector numbers written in the file: an
absurd header field makes it ask for gigabytes (an abort, not an error, under a memory
limit), and a sector chain that loops makes it read forever. So the header is checked
against the file's size, every chain is walked here (inside the file, no loop), and the
BIFF records are scanned for the sizes the reader allocates from (DIMENSIONS, cell
positions), for encryption (FILEPASS) and for old BIFF versions, which are refused by name.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from wudi_audit.errors import UserInputError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAXREGSECT = 0xFFFFFFFA  # sector numbers at or above this are markers
DIFSECT = 0xFFFFFFFC
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
NATIVE_MINI_CUTOFF = 4096  # the native reader reads streams under 4096 bytes as mini streams
WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")

# What the native reader may allocate from a header field before reading a sector.
MAX_HEADER_ALLOCATION = 1 << 30
# An .xls sheet holds at most 65,536 rows × 256 columns (BIFF8).
XLS_MAX_ROWS, XLS_MAX_COLUMNS = 65536, 256

BOF_TYPES = {0x0009: "BIFF2", 0x0209: "BIFF3", 0x0409: "BIFF4", 0x0809: None}
FILEPASS, EOF, DIMENSIONS, MULRK = 0x002F, 0x000A, 0x0200, 0x00BD
CELL_RECORDS = {0x0006, 0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD}  # row, col first


class Damaged(Exception):
    """The compound file contradicts itself; the reason is kept for the message."""


@dataclass(frozen=True)
class DirectoryEntry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    start: int
    size: int


def old_biff_version(content: bytes) -> str | None:
    """BIFF2–BIFF4 files are bare record streams (no OLE container): their first record
    is a BOF. Returns the version's name, or None."""
    if len(content) < 4:
        return None
    typ, length = struct.unpack_from("<HH", content)
    if typ in (0x0009, 0x0209, 0x0409) and 4 <= length <= 16:
        return BOF_TYPES[typ]
    return None


def check_xls(content: bytes, where: str) -> None:
    """Refuse an .xls the native reader must not see: damaged (header, chains or record
    sizes inconsistent with the file), encrypted, or older than BIFF8 (Excel 97)."""
    try:
        stream = workbook_stream(content)
        version, encrypted = scan_biff(stream)
    except Damaged as exc:
        raise UserInputError(
            f"文件已损坏（OLE/BIFF 结构与文件大小不符），无法读取：{where}；详情：{exc}",
            f"file is damaged (its OLE/BIFF structure contradicts the file): {where}; "
            f"detail: {exc}",
        ) from None
    if version is not None:
        raise old_format_error(where, version)
    if encrypted:
        raise encrypted_error(where)


def old_format_error(where: str, version: str) -> UserInputError:
    return UserInputError(
        f"这是 Excel 5.0/95 或更早格式的 .xls（{version}），本工具不读取：{where}；"
        "请用 Excel 或 WPS 打开后另存为 .xlsx 再试",
        f"this is an Excel 5.0/95 or older .xls ({version}), which is not read: {where}; "
        "open it in Excel or WPS and save it as .xlsx",
    )


def encrypted_error(where: str) -> UserInputError:
    return UserInputError(
        f"文件受密码保护（已加密），无法读取：{where}；请另存为不加密的文件后重试",
        f"file is password-protected (encrypted): {where}; save an unencrypted copy",
    )


def workbook_stream(content: bytes) -> bytes:
    """Validate the compound file's header and chains; return the Workbook stream."""
    if len(content) < 512 or not content.startswith(OLE_MAGIC):
        raise Damaged("shorter than an OLE header" if len(content) < 512 else "no OLE signature")
    (major, byte_order, shift, mini_shift) = struct.unpack_from("<HHHH", content, 26)
    dir_sectors, fat_sectors, dir_start = struct.unpack_from("<III", content, 40)
    mini_fat_start, mini_fat_sectors, difat_start, difat_sectors = struct.unpack_from(
        "<IIII", content, 60
    )
    if byte_order != 0xFFFE or major not in (3, 4) or shift != (9 if major == 3 else 12):
        raise Damaged(f"version {major}, sector shift {shift}, byte order {byte_order:#x}")
    if mini_shift != 6:
        raise Damaged(f"mini sector shift {mini_shift}")
    size = 1 << shift
    sectors = (len(content) - size) // size  # whole sectors after the header sector
    for label, count in (
        ("FAT", fat_sectors),
        ("mini FAT", mini_fat_sectors),
        ("DIFAT", difat_sectors),
        ("directory", dir_sectors),
    ):
        if count > sectors:
            raise Damaged(f"{count} {label} sectors declared, the file has {sectors}")
    # The native reader reserves room for this many DIFAT entries, read from bytes 62–65
    # of the header (half of the mini FAT start, half of its count), before any check.
    (reserved,) = struct.unpack_from("<I", content, 62)
    if reserved * 4 > MAX_HEADER_ALLOCATION:
        raise Damaged(f"header fields imply {reserved * 4:,} bytes before any sector is read")

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise Damaged(f"sector {number} lies beyond the end of the file")
        offset = (number + 1) * size
        return content[offset : offset + size]

    # DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
    difat = list(struct.unpack_from("<109I", content, 76))
    seen: set[int] = set()
    current = difat_start
    while current < MAXREGSECT:
        if current in seen or len(seen) > difat_sectors:
            raise Damaged("the DIFAT chain loops or is longer than declared")
        seen.add(current)
        entries = struct.unpack(f"<{size // 4}I", sector(current))
        difat.extend(entries[:-1])
        current = entries[-1]
    fat_numbers = [n for n in difat if n < DIFSECT]
    if len(fat_numbers) > sectors:
        raise Damaged(f"{len(fat_numbers)} FAT sectors listed, the file has {sectors}")
    fat: list[int] = []
    for number in fat_numbers:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))

    def chain(start: int, table: list[int], limit: int, what: str, stream: bool = False):
        """Sector numbers from `start`. A stream's chain may run off a truncated file (the
        reader keeps what is there); a loop is never allowed (the reader would not stop)."""
        numbers: list[int] = []
        visited: set[int] = set()
        current = start
        while current != ENDOFCHAIN:
            if current >= len(table) or current >= limit:
                if stream:
                    break
                raise Damaged(f"the {what} chain points to sector {current}, outside the file")
            if current in visited:
                raise Damaged(f"the {what} chain loops at sector {current}")
            visited.add(current)
            numbers.append(current)
            current = table[current]
        return numbers

    directory = b"".join(sector(n) for n in chain(dir_start, fat, sectors, "directory"))
    entries = [_entry(directory[i : i + 128], major) for i in range(0, len(directory), 128)]
    if not entries or entries[0].kind != 5:
        raise Damaged("no root directory entry")
    root = entries[0]
    mini_fat: list[int] = []
    ministream = b""
    if mini_fat_sectors:
        if mini_fat_start != ENDOFCHAIN:
            for n in chain(mini_fat_start, fat, sectors, "mini FAT"):
                mini_fat.extend(struct.unpack(f"<{size // 4}I", sector(n)))
        ministream = b"".join(
            sector(n) for n in chain(root.start, fat, sectors, "mini stream", stream=True)
        )
    for name in WORKBOOK_STREAMS:
        entry = next((e for e in entries if e.name == name and e.kind == 2), None)
        if entry is None:
            continue
        if entry.size < NATIVE_MINI_CUTOFF:
            numbers = chain(entry.start, mini_fat, len(ministream) // 64, name, stream=True)
            data = b"".join(ministream[n * 64 : n * 64 + 64] for n in numbers)
        else:
            data = b"".join(sector(n) for n in chain(entry.start, fat, sectors, name, True))
        return data[: entry.size]
    raise Damaged("no Workbook stream")


def _entry(raw: bytes, major: int) -> DirectoryEntry:
    if len(raw) < 128:
        return DirectoryEntry("", 0, ENDOFCHAIN, 0)
    (name_length,) = struct.unpack_from("<H", raw, 64)
    name = raw[: min(name_length, 64)].decode("utf-16-le", errors="replace").split("\0")[0]
    start, low, high = struct.unpack_from("<III", raw, 116)
    return DirectoryEntry(name, raw[66], start, low if major == 3 else low | high << 32)


def scan_biff(stream: bytes) -> tuple[str | None, bool]:
    """(old BIFF version or None, encrypted). Raises Damaged where a record would make
    the native reader allocate beyond an .xls sheet's limits."""
    if len(stream) < 8:
        raise Damaged("the Workbook stream is empty")
    typ, length = struct.unpack_from("<HH", stream)
    if typ not in BOF_TYPES:
        raise Damaged(f"the Workbook stream starts with record {typ:#06x}, not BOF")
    if BOF_TYPES[typ] is not None:
        return BOF_TYPES[typ], False
    (version,) = struct.unpack_from("<H", stream, 4)
    if version < 0x0600 and version != 0:  # 0x0500 BIFF5 (Excel 5.0/95)
        return "BIFF5", False
    in_globals = True
    offset = 0
    while offset + 4 <= len(stream):
        typ, length = struct.unpack_from("<HH", stream, offset)
        data = stream[offset + 4 : offset + 4 + length]
        offset += 4 + length
        if typ == FILEPASS and in_globals:
            # every record after it is encrypted: its sizes are noise, not the sheet's
            # (an RC4 file's DIMENSIONS would read as billions of rows)
            return None, True
        elif typ == EOF:
            in_globals = False
        elif typ == DIMENSIONS:
            _check_dimensions(data)
        elif typ in CELL_RECORDS and len(data) >= 4:
            _check_column(struct.unpack_from("<H", data, 2)[0])
        elif typ == MULRK and len(data) >= 6:
            _check_column(struct.unpack_from("<H", data, len(data) - 2)[0])
    return None, False


def _check_column(column: int) -> None:
    if column >= XLS_MAX_COLUMNS:
        raise Damaged(f"a cell in column {column + 1}, beyond the format's 256 columns")


def _check_dimensions(data: bytes) -> None:
    """The reader reserves rows × columns cells from this record, as written."""
    if len(data) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", data)
    else:
        return  # the reader refuses a record of another length itself
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    if last_row >= 1 and last_col >= 1:
        rows = (last_row - first_row) % (1 << 32)
        columns = (last_col - first_col) % (1 << 32)
    else:
        rows = columns = 1
    if rows > XLS_MAX_ROWS or columns > XLS_MAX_COLUMNS:
        raise Damaged(f"a sheet declares {rows:,} rows × {columns:,} columns")
