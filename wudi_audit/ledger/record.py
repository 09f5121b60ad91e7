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

from wudi_audit.ledger.decisions import decisions_of_the_rules, overturned
from wudi_audit.ledger.layout import (
    HASH_PREFIX,
    VERSION_KEY,
    check_folder,
    file_stem,
    ledger_error,
    ledger_files,
    scan_ledger,
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
    decisions: pl.DataFrame | None = None,
    *,
    verdicts: tuple[str, ...] = ("pass",),
    batch_id: str,
    content_hash: str,
    source_file: str,
    added_at: dt.datetime,
    decisions_sha256: str | None = None,
) -> pl.DataFrame:
    """Every claim of the batch with its final decision (`decisions`: row_id, decision,
    decided_by, reviewer, decision_note; None: the rules', the `verdicts` paid and every
    other claim returned), in the ledger's columns. A claim without a readable end date
    has no year to be filed under and is not recorded."""
    if decisions is None:
        decisions = decisions_of_the_rules(claims, verdicts)
    batch = {
        "schema_version": SCHEMA_VERSION,
        "batch_id": batch_id,
        "content_hash": content_hash,
        "added_at": added_at,
        "source_file": source_file,
        "decisions_sha256": decisions_sha256,
    }
    decided = claims.join(decisions, on="row_id", how="left")
    if "codes" not in decided.columns:  # claims not run through the rules (tests, benches)
        decided = decided.with_columns(pl.lit(None, dtype=pl.String).alias("codes"))
    columns = [
        pl.lit(batch[c], dtype=t).alias(c) if c in batch else pl.col(c)
        for c, t in LEDGER_SCHEMA.items()
    ]  # every other ledger column is a normalised claims column of the same name
    return (
        decided.filter(pl.col("end_date").is_not_null())
        .with_columns(pl.col("codes").replace("", None))
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
    paid: int = 0
    paid_fen: int = 0
    returned: int = 0
    returned_fen: int = 0
    by_officer: int = 0  # decisions an officer made (复核结论 filled in)
    changed: int = 0  # of which the rules had said otherwise

    def document(self) -> dict:
        return {
            "batch_id": self.batch_id,
            "years": sorted(set(self.years)),
            "claims": self.claims,
            "amount": round(self.amount_fen / 100, 2),
            "paid": self.paid,
            "paid_amount": round(self.paid_fen / 100, 2),
            "returned": self.returned,
            "returned_amount": round(self.returned_fen / 100, 2),
            "decided_by_officer": self.by_officer,
            "changed_by_officer": self.changed,
            "added_at": self.added_at,
            "content_hash": self.content_hash,
        }


def list_batches(folder: Path) -> list[BatchEntry]:
    """Every batch in the ledger, with its years, claims, amount and when it was added."""
    if check_folder(folder) and (
        (folder / JOURNAL_NAME).exists() or any(folder.glob("year=*/.*.tmp"))
    ):
        with ledger_lock(folder):  # completes what a killed writer left
            pass
    files = ledger_files(folder)
    if not files:
        return []
    paid = pl.col("decision") == "pass"
    officer = pl.col("decided_by") == "officer"
    per_file = (
        scan_ledger([f.path for f in files], include_file_paths="_path")
        .group_by("_path")
        .agg(
            pl.col("batch_id").first(),
            pl.col("content_hash").first(),
            pl.len().alias("claims"),
            pl.col("amount_fen").sum(),
            pl.col("added_at").min(),
            paid.sum().alias("paid"),
            pl.col("amount_fen").filter(paid).sum().alias("paid_fen"),
            (~paid).sum().alias("returned"),
            pl.col("amount_fen").filter(~paid).sum().alias("returned_fen"),
            officer.sum().alias("by_officer"),
            (officer & overturned(pl.col("decision"), pl.col("verdict"))).sum().alias("changed"),
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
            for key in ("paid", "paid_fen", "returned", "returned_fen", "by_officer", "changed"):
                setattr(entry, key, getattr(entry, key) + int(row[key] or 0))
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
    decisions_sha256: str | None = None,
) -> AddOutcome:
    """Record a batch under the ledger's lock. `judge` runs the check (against the ledger
    as it is once the lock is held, so concurrent adds see each other) and returns the
    rows to record, in ledger columns. The same content with the same decisions changes
    nothing; with other decisions (a reviewed workbook now) it needs `replace`."""
    folder.mkdir(parents=True, exist_ok=True)
    with ledger_lock(folder):
        same, decided_with = _stored(folder, content_hash)
        if same and (decided_with == decisions_sha256 or decisions_sha256 is None):
            return AddOutcome("unchanged", 0, [], same_content_as=same)
        if same and not replace:
            raise ledger_error(
                f"批次“{same}”已按另一份复核结论记入台账；如需按本工作簿的结论重新记入，请加 "
                "--replace（原记录移入 .removed/，不会删除）",
                f"batch {same!r} is in the ledger with other decisions; use --replace to "
                "record it with this workbook's",
            )
        batch_id = same or batch_id
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
    return _stored(folder, content_hash)[0]


def _stored(folder: Path, content_hash: str) -> tuple[str, str | None]:
    """(batch id, the reviewed workbook's SHA-256 it was recorded with) of this content."""
    prefix = content_hash[:HASH_PREFIX]
    for f in ledger_files(folder):
        if f.hash_prefix != prefix:
            continue
        version = validate_file(f.path)
        columns = ["content_hash", "decisions_sha256"] if version > 1 else ["content_hash"]
        stored = pl.read_parquet(f.path, columns=columns, n_rows=1)
        if stored.height and stored.item(0, 0) == content_hash:
            return f.batch_id, stored.item(0, 1) if version > 1 else None
    return "", None


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
