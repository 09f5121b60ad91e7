"""Load every input once: read, normalise, derive the claim fields the rules share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import polars as pl

from wudi_audit.errors import UserInputError
from wudi_audit.facts import idnumber
from wudi_audit.normalise.table import normalize
from wudi_audit.read.files import attendance_files, list_name
from wudi_audit.read.freed import give_back_freed_memory
from wudi_audit.read.raw import RawTable, ReadLimits, SourceFile
from wudi_audit.read.reader import read_table
from wudi_audit.rules.pack import RulePack
from wudi_audit.schema.inputs import INPUT_LABELS
from wudi_audit.schema.ledger import empty_history, empty_named, empty_totals
from wudi_audit.schema.names import ColumnName, with_names
from wudi_audit.schema.tables import ATTENDANCE, CLAIMS, TABLES
from wudi_audit.timings import phase


@dataclass
class LoadedInputs:
    inputs: AuditInputs
    sources: dict[str, list[SourceFile]] = field(default_factory=dict)


def prepare_claims(claims: pl.DataFrame, today: dt.date | None = None) -> pl.DataFrame:
    """Derived fields every rule reads, computed once: hours with the empty-cell rule,
    claimed total, training mode, and the identity number's validity, birth date and sex."""
    on_raw, off_raw = pl.col("online_hours__raw"), pl.col("offline_hours__raw")
    online = (
        pl.when(on_raw.is_null() & off_raw.is_not_null())
        .then(pl.lit(0.0))
        .otherwise(pl.col("online_hours"))
    )
    offline = (
        pl.when(off_raw.is_null() & on_raw.is_not_null())
        .then(pl.lit(0.0))
        .otherwise(pl.col("offline_hours"))
    )
    derived_mode = (
        pl.when((pl.col("online_hours") > 0) & (pl.col("offline_hours") <= 0))
        .then(pl.lit("online"))
        .when((pl.col("online_hours") <= 0) & (pl.col("offline_hours") > 0))
        .then(pl.lit("offline"))
        .when((pl.col("online_hours") > 0) & (pl.col("offline_hours") > 0))
        .then(pl.lit("blended"))
    )
    # Infinite or NaN values are D003 (judged from the raw text); no other rule can use them.
    finite = [
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c)
        for c in ("online_hours", "offline_hours", "total_hours", "amount")
    ]
    return (
        claims.lazy()
        .with_columns(finite)
        .with_columns(online.alias("online_hours"), offline.alias("offline_hours"))
        .with_columns(
            (pl.col("online_hours") + pl.col("offline_hours")).alias("claimed_hours"),
            pl.coalesce(pl.col("mode"), derived_mode).alias("training_mode"),
            *idnumber.identity_columns(pl.col("id_number"), today or dt.date.today()),
        )
        .collect()
    )


def prepare_attendance(records: pl.DataFrame, pack: RulePack) -> pl.DataFrame:
    """Credited hours of each record, computed once: its `hours` when given, else its
    duration divided by the minutes of one class hour, unrounded; never negative."""
    minutes = (pl.col("sign_out") - pl.col("sign_in")).dt.total_seconds() / 60
    from_duration = (minutes / float(pack["minutes_per_class_hour"])).clip(lower_bound=0)
    return records.with_columns(
        pl.coalesce(pl.col("hours"), from_duration, pl.lit(0.0)).alias("credited_hours"),
        pl.col("sign_in").dt.date().alias("sign_in_date"),
        pl.col("sign_out").dt.date().alias("sign_out_date"),
    )


def load_inputs(
    claims_path: Path,
    pack: RulePack,
    *,
    attendance: list[Path] | None = None,
    sheet: str | None = None,
    references: dict[str, Path] | None = None,
    today: dt.date | None = None,
    columns: list[ColumnName] | None = None,
) -> LoadedInputs:
    """Read the claims, every attendance file and every reference list at once (the native
    reader releases the GIL), then normalise each, in that order."""
    limits = ReadLimits.from_pack(pack.limits)
    today = today or dt.date.today()
    names = columns or []
    claims_schema = with_names(CLAIMS, names)
    jobs: dict[str, Callable[[], RawTable]] = {
        "claims": lambda: read_table(claims_path, claims_schema, sheet=sheet, limits=limits)
    }
    files: list[Path] = []
    if attendance:
        # an empty folder is reported after the claims' own errors, as when read in turn
        try:
            files = attendance_files(attendance)
        except UserInputError as exc:
            jobs["attendance folder"] = partial(_raise, exc)
    for i, path in enumerate(files):
        jobs[f"attendance {i}"] = partial(
            read_table,
            path,
            with_names(ATTENDANCE, names),
            all_sheets=True,
            limits=limits,
            cell_types=False,
        )
    for name, path in (references or {}).items():  # every list has its TableSchema
        jobs[f"ref {name}"] = partial(read_reference, name, path, limits, names)
    with phase("read"):
        read = read_all(jobs)
        give_back_freed_memory()  # what the native reader freed (read/freed.py)
    with phase("normalise"):
        return _normalise_all(read, pack, today, files, references or {})


def _raise(exc: Exception) -> RawTable:
    raise exc


def read_all(jobs: dict[str, Callable[[], RawTable]]) -> dict[str, RawTable]:
    """Run every read at once. When one fails, they are run again one after the other in
    their order, so that the error raised (and its message) is the one a reading in turn
    would have met first."""
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = {key: pool.submit(job) for key, job in jobs.items()}
    if all(f.exception() is None for f in futures.values()):
        return {key: f.result() for key, f in futures.items()}
    return {key: job() for key, job in jobs.items()}


def _normalise_all(
    read: dict[str, RawTable],
    pack: RulePack,
    today: dt.date,
    files: list[Path],
    references: dict[str, Path],
) -> LoadedInputs:
    raw_claims = read["claims"]
    claims = prepare_claims(normalize(raw_claims), today)
    sources = {"claims": raw_claims.sources}
    attendance_frame = None
    attendance_fields: frozenset[str] = frozenset()
    if files:
        tables = [read[f"attendance {i}"] for i in range(len(files))]
        combined = RawTable(
            ATTENDANCE,
            pl.concat([t.frame for t in tables], how="vertical"),
            [s for t in tables for s in t.sources],
        )
        attendance_frame = prepare_attendance(normalize(combined), pack)
        attendance_fields = frozenset().union(*(t.present_fields for t in tables))
        sources["attendance"] = combined.sources
    refs: dict[str, pl.DataFrame] = {}
    ref_fields: dict[str, frozenset[str]] = {}
    for key in references:
        raw, name = read[f"ref {key}"], list_name(key)
        frame = normalize(raw)
        if name in refs:  # a second excluded list: its rows after the first's
            frame = pl.concat([refs[name], frame], how="vertical_relaxed")
        refs[name] = frame
        ref_fields[name] = ref_fields.get(name, frozenset()) | raw.present_fields
        sources[name] = [*sources.get(name, []), *raw.sources]
    inputs = AuditInputs(
        claims,
        attendance_frame,
        refs,
        today,
        raw_claims.present_fields,
        attendance_fields,
        ref_fields,
    )
    return LoadedInputs(inputs, sources)


def read_reference(
    name: str,
    path: Path,
    limits: ReadLimits | None = None,
    columns: list[ColumnName] | None = None,
) -> RawTable:
    """Read a reference list with the claims' reader; a list that cannot be read or lacks
    a required column stops the run (exit 2) naming the list and the file."""
    name = list_name(name)
    schema = with_names(TABLES[name], columns or [])
    try:
        return read_table(path, schema, limits=limits, cell_types=False)
    except UserInputError as exc:
        label_en = INPUT_LABELS.get(name, (schema.label_zh, name))[1]
        # the reader already names the role (`备案机构名单：…`); say it once
        zh = exc.zh.removeprefix(f"{schema.label_zh}：")
        en = exc.en.removeprefix(f"{label_en}: ")
        where_zh = "" if str(path) in zh else f"（{path}）"
        where_en = "" if str(path) in en else f" ({path})"
        raise UserInputError(
            f"参考名单“{schema.label_zh}”无法使用{where_zh}：{zh}",
            f"reference list {label_en} ({name}) is unusable{where_en}: {en}",
        ) from exc


@dataclass
class AuditInputs:
    """Everything a rule may read, normalised once before any rule runs."""

    claims: pl.DataFrame
    attendance: pl.DataFrame | None = None
    references: dict[str, pl.DataFrame] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    claim_fields: frozenset[str] = frozenset()  # optional claim columns present in the file
    attendance_fields: frozenset[str] = frozenset()
    reference_fields: dict[str, frozenset[str]] = field(default_factory=dict)
    # the ledger's paid claims of the years the batch reaches for its persons, names,
    # phones and certificate numbers (empty without a ledger)
    history: pl.DataFrame = field(default_factory=empty_history)
    # amounts already paid per (district | project_code, year), for budgets (S307)
    history_totals: pl.DataFrame = field(default_factory=empty_totals)
    # the ledger's records of the batch's names: name, id_number, source_row, batch_id (P107)
    history_named: pl.DataFrame = field(default_factory=lambda: empty_named())
    # the ledger's returned claims of the batch's persons (S309)
    history_returned: pl.DataFrame = field(default_factory=empty_history)
    # every returned claim with a training-delivery code, any year (O408)
    history_strikes: pl.DataFrame = field(default_factory=empty_history)
    # what the rules work out once and share (checks/attendance_keys.py), by name
    derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def has(self, name: str) -> bool:
        """An input a rule needs: `claims`, `attendance`, a reference list,
        `column:<field>` for an optional claims column (`column:a|b`: either of them),
        `attendance:<field>` for an optional attendance column, or `<list>:<field>` for an
        optional column of a reference list."""
        if name.startswith("column:"):
            return any(f in self.claim_fields for f in name.removeprefix("column:").split("|"))
        if name.startswith("attendance:"):
            return self.attendance is not None and (
                name.removeprefix("attendance:") in self.attendance_fields
            )
        if name == "claims":
            return True
        if name == "attendance":
            return self.attendance is not None
        if ":" in name:
            table, column = name.split(":", 1)
            return table in self.references and column in self.reference_fields.get(table, ())
        return name in self.references
