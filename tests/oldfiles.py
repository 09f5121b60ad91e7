"""Build small .xls files by hand (OLE compound file + BIFF records), so that tests can
make hostile ones: absurd header fields, encryption, old BIFF versions, huge cell ranges."""

from __future__ import annotations

import struct

SECTOR = 512
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
FATSECT = 0xFFFFFFFD


def record(typ: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def bof(version: int = 0x0600, kind: int = 0x0005) -> bytes:
    if version == 0x0600:
        return record(0x0809, struct.pack("<HHHHII", version, kind, 0x0DBB, 0x07CC, 0, 0x0006))
    return record(0x0809, struct.pack("<HHHH", version, kind, 0x0DBB, 0x07CC))


def label(row: int, col: int, text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text), 1) + encoded)


def number(row: int, col: int, value: float) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, col, 15, value))


def dimensions(first_row: int, last_row: int, first_col: int, last_col: int) -> bytes:
    return record(0x0200, struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0))


def biff8_workbook(
    rows: list[list[object]],
    *,
    sheet: str = "Sheet1",
    filepass: bytes | None = None,
    dims: tuple[int, int, int, int] | None = None,
    extra_cells: bytes = b"",
) -> bytes:
    """A BIFF8 Workbook stream: globals (BOF, [FILEPASS], BOUNDSHEET, EOF) then one sheet."""
    cells = b"".join(
        (number(r, c, v) if isinstance(v, int | float) else label(r, c, str(v)))
        for r, row in enumerate(rows)
        for c, v in enumerate(row)
        if v is not None
    )
    width = max((len(r) for r in rows), default=0)
    dims = dims or (0, len(rows), 0, width)
    name = sheet.encode("utf-16-le")

    def globals_(sheet_at: int) -> bytes:
        boundsheet = record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, len(sheet), 1) + name)
        secret = record(0x002F, filepass) if filepass is not None else b""
        return bof() + secret + boundsheet + record(0x000A)

    head = globals_(0)
    body = bof(kind=0x0010) + dimensions(*dims) + cells + extra_cells + record(0x000A)
    return globals_(len(head)) + body


def old_biff_workbook(version: int) -> bytes:
    """A BIFF5 (0x0500) workbook stream: only the BOF matters for recognising it."""
    return bof(version) + record(0x000A)


def compound_file(streams: dict[str, bytes], **header: int) -> bytes:
    """An OLE compound file (version 3, 512-byte sectors) holding `streams`, each padded to
    at least 4096 bytes so that no mini stream is needed. `header` overrides header fields
    by name (see HEADER_FIELDS) to make hostile files."""
    padded = {n: s + b"\0" * max(0, 4096 - len(s)) for n, s in streams.items()}
    data_sectors: list[bytes] = []
    starts: dict[str, int] = {}
    fat: list[int] = []
    first = 2  # sector 0: FAT, sector 1: directory
    for name, stream in padded.items():
        count = -(-len(stream) // SECTOR)
        starts[name] = first + len(data_sectors)
        for i in range(count):
            data_sectors.append(stream[i * SECTOR : (i + 1) * SECTOR].ljust(SECTOR, b"\0"))
    fat = [FATSECT, ENDOFCHAIN]
    for name, stream in padded.items():
        count = -(-len(stream) // SECTOR)
        start = starts[name]
        fat += [start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (SECTOR // 4 - len(fat))
    directory = _entry("Root Entry", 5, ENDOFCHAIN, 0, child=1 if streams else FREESECT)
    for i, (name, stream) in enumerate(padded.items()):
        right = i + 2 if i + 1 < len(padded) else FREESECT
        directory += _entry(name, 2, starts[name], len(stream), right=right)
    directory = directory.ljust(SECTOR, b"\0")
    fields = {
        "minor_version": 0x003E,
        "major_version": 3,
        "byte_order": 0xFFFE,
        "sector_shift": 9,
        "mini_sector_shift": 6,
        "dir_sectors": 0,
        "fat_sectors": 1,
        "dir_start": 1,
        "mini_cutoff": 4096,
        "mini_fat_start": ENDOFCHAIN,
        "mini_fat_sectors": 0,
        "difat_start": ENDOFCHAIN,
        "difat_sectors": 0,
        **header,
    }
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    head += struct.pack(
        "<HHHHH6xIIIIIIIII",
        fields["minor_version"],
        fields["major_version"],
        fields["byte_order"],
        fields["sector_shift"],
        fields["mini_sector_shift"],
        fields["dir_sectors"],
        fields["fat_sectors"],
        fields["dir_start"],
        0,
        fields["mini_cutoff"],
        fields["mini_fat_start"],
        fields["mini_fat_sectors"],
        fields["difat_start"],
        fields["difat_sectors"],
    )
    difat = [0] + [FREESECT] * 108
    head += struct.pack("<109I", *difat)
    fat_sector = struct.pack(f"<{SECTOR // 4}I", *fat[: SECTOR // 4])
    return head + fat_sector + directory + b"".join(data_sectors)


def _entry(name: str, kind: int, start: int, size: int, *, child=FREESECT, right=FREESECT):
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", FREESECT, right, child)
        + b"\0" * 16
        + b"\0" * 4
        + b"\0" * 16
        + struct.pack("<III", start, size, 0)
    )


def truncated_formula(row: int = 1, col: int = 0) -> bytes:
    """A FORMULA record whose PtgExp token lacks its operand: the native reader panics."""
    rgce = b"\x01\x00"
    head = struct.pack("<HHHdHIH", row, col, 15, 0.0, 0, 0, len(rgce))
    return record(0x0006, head + rgce)
