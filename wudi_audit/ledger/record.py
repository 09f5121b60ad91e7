"""Writing to the ledger: record an accepted batch, list what is there, remove a batch.
Every change happens under the ledger's lock and lands by renames (see `lock`)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from wudi_audit.ledger.layout import (
    HASH_PREFIX,
    VERSION_KEY,
    check_folder,
    file_stem,
    ledger_error,
    ledger_files,
    validate_file,
)
from wudi_audit.ledger.lock import JOURNAL_NAME, apply_renames, ledger_lock, write_synced
from wudi_audit.schema.ledger import (
    LEDGER_SCHEMA,
    SCHEMA_VERSION,
)

REMOVED = ".removed"


def ledger_rows(
    claims: pl.DataFrame,
    *,
    batch_id: str,
    content_hash: str,
    source_file: str,
    verdicts: tuple[str, ...],
    added_at: dt.datetime,
) -> pl.DataFrame:
    """The batch's claims with an accepted verdict, in the ledger's columns."""
    batch = {
        "schema_version": SCHEMA_VERSION,
        "batch_id": batch_id,
        "content_hash": content_hash,
        "added_at": added_at,
        "source_file": source_file,
    }
    columns = [
        pl.lit(batch[c]).alias(c) if c in batch else pl.col(c) for c in LEDGER_SCHEMA
    ]  # every other ledger column is a normalised claims column of the same name
    return (
        claims.filter(pl.col("verdict").is_in(verdicts) & pl.col("end_date").is_not_null())
        .sort("source_row")
        .select(columns)
        .cast(LEDGER_SCHEMA)
    )


@dataclass
class BatchEntry:
    batch_id: str
    content_hash: str
    years: list[int]
    claims: int
    amount_fen: int
    added_at: str
    files: list[Path]


def list_batches(folder: Path) -> list[BatchEntry]:
    """Every batch in the ledger, with its years, claims, amount and when it was added."""
    if check_folder(folder) and (
        (folder / JOURNAL_NAME).exists() or any(folder.glob("year=*/.*.tmp"))
    ):
        with ledger_lock(folder):  # completes what a killed writer left
            pass
    files = ledger_files(folder)
    for f in files:
        validate_file(f.path)
    if not files:
        return []
    per_file = (
        pl.scan_parquet([f.path for f in files], schema=LEDGER_SCHEMA, include_file_paths="_path")
        .group_by("_path")
        .agg(
            pl.col("batch_id").first(),
            pl.col("content_hash").first(),
            pl.len().alias("claims"),
            pl.col("amount_fen").sum(),
            pl.col("added_at").min(),
        )
        .collect()
    )
    by_path = {row["_path"]: row for row in per_file.iter_rows(named=True)}
    entries: dict[str, BatchEntry] = {}
    for f in files:
        row = by_path.get(str(f.path))
        entry = entries.setdefault(f.batch_id, BatchEntry(f.batch_id, "", [], 0, 0, "", []))
        entry.files.append(f.path)
        entry.years.append(f.year)
        if row is not None:
            entry.content_hash = row["content_hash"]
            entry.claims += int(row["claims"])
            entry.amount_fen += int(row["amount_fen"] or 0)
            added = row["added_at"].isoformat(timespec="seconds") if row["added_at"] else ""
            entry.added_at = min(filter(None, (entry.added_at, added)), default="")
    return sorted(entries.values(), key=lambda e: (e.added_at, e.batch_id))


def find_batch(folder: Path, batch_id: str) -> list[Path]:
    return [f.path for f in ledger_files(folder) if f.batch_id == batch_id]


@dataclass
class AddOutcome:
    status: str  # "added", "replaced", "unchanged"
    recorded: int
    years: list[int]
    same_content_as: str = ""


def _parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, metadata={VERSION_KEY: str(SCHEMA_VERSION)})
    return buffer.getvalue()


def write_batch(
    folder: Path,
    judge: Callable[[], pl.DataFrame],
    *,
    batch_id: str,
    content_hash: str,
    replace: bool,
) -> AddOutcome:
    """Record a batch under the ledger's lock. `judge` runs the check (against the ledger
    as it is once the lock is held, so concurrent adds see each other) and returns the
    rows to record, in ledger columns."""
    folder.mkdir(parents=True, exist_ok=True)
    with ledger_lock(folder):
        same = existing_content(folder, content_hash)
        if same:
            return AddOutcome("unchanged", 0, [], same_content_as=same)
        existing = find_batch(folder, batch_id)
        if existing and not replace:
            raise ledger_error(
                f"批次“{batch_id}”已在台账中，但申领文件内容不同；"
                "如确需替换，请加 --replace（原记录移入 .removed/，不会删除）",
                f"batch {batch_id!r} is already in the ledger with different content; "
                "use --replace to replace it",
            )
        rows = judge()
        stem = file_stem(batch_id, content_hash)
        token = uuid.uuid4().hex[:12]
        renames: list[tuple[Path, Path]] = []
        if existing:
            renames += _removal(folder, existing)
        years = []
        for year, part in _by_year(rows):
            partition = folder / f"year={year:04d}"
            partition.mkdir(exist_ok=True)
            temp = partition / f".{stem}.{token}.tmp"
            write_synced(temp, _parquet_bytes(part))
            renames.append((temp.relative_to(folder), Path(f"year={year:04d}") / f"{stem}.parquet"))
            years.append(year)
        apply_renames(folder, renames)
    return AddOutcome("replaced" if existing else "added", rows.height, years)


def _by_year(rows: pl.DataFrame) -> list[tuple[int, pl.DataFrame]]:
    keyed = rows.with_columns(pl.col("end_date").dt.year().alias("_year"))
    return [
        (int(year), part.drop("_year"))
        for (year,), part in sorted(keyed.partition_by("_year", as_dict=True).items())
    ]


def existing_content(folder: Path, content_hash: str) -> str:
    """The batch id under which the ledger already holds this content, or ""."""
    prefix = content_hash[:HASH_PREFIX]
    for f in ledger_files(folder):
        if f.hash_prefix != prefix:
            continue
        validate_file(f.path)
        stored = pl.read_parquet(f.path, columns=["content_hash"], n_rows=1)
        if stored.height and stored.item(0, 0) == content_hash:
            return f.batch_id
    return ""


def _removal(folder: Path, files: list[Path]) -> list[tuple[Path, Path]]:
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + f"-{uuid.uuid4().hex[:6]}"
    return [(p.relative_to(folder), Path(REMOVED) / stamp / p.relative_to(folder)) for p in files]


def remove_batch(folder: Path, batch_id: str) -> list[Path]:
    """Move a batch's files into `.removed/<time>/` inside the ledger, as one unit."""
    if not folder.is_dir():
        raise ledger_error(f"台账文件夹不存在：{folder}", f"no ledger folder {folder}")
    with ledger_lock(folder):
        files = find_batch(folder, batch_id)
        if not files:
            known = sorted({f.batch_id for f in ledger_files(folder)})
            raise ledger_error(
                f"台账中没有批次“{batch_id}”；现有批次：{'、'.join(known) or '无'}",
                f"no batch {batch_id!r} in the ledger",
            )
        renames = _removal(folder, files)
        apply_renames(folder, renames)
    return [folder / target for _, target in renames]
