"""The one path a batch takes: read and normalise its inputs, read what the ledger holds
for them, run every rule (`run_batch`, shared by `check` and `ledger add`, so both judge
alike); then, for `check`, draw the review sample and build the report (`audit_batch`,
shared by one batch and a folder of batches)."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from wudi_audit.checks.base import AuditInputs
from wudi_audit.checks.engine import AuditResult, run_rules_by_pack
from wudi_audit.ledger.decisions import decisions_of_the_rules, read_decisions
from wudi_audit.ledger.history import History, read_history
from wudi_audit.ledger.layout import resolve_folder
from wudi_audit.ledger.record import AddOutcome, ledger_rows, write_batch
from wudi_audit.normalise.inputs import LoadedInputs, load_inputs
from wudi_audit.report.sampling import draw_sample, seed_from_hash
from wudi_audit.report.tables import Report, build_report
from wudi_audit.rules.pack import RulePack
from wudi_audit.schema.names import ColumnName
from wudi_audit.timings import lap, phase


@dataclass
class BatchRequest:
    claims: Path
    attendance: list[Path] = field(default_factory=list)
    references: dict[str, Path] = field(default_factory=dict)
    ledger: Path | None = None  # None: $WUDI_LEDGER, else ./wudi-ledger
    batch_id: str | None = None  # None: the claims file's stem
    sheet: str | None = None
    today: dt.date | None = None
    columns: list[ColumnName] = field(default_factory=list)  # the user's own names

    @property
    def inputs(self) -> list[Path]:
        return [self.claims, *self.attendance, *self.references.values()]

    @property
    def resolved_batch_id(self) -> str:
        return self.batch_id or self.claims.stem


@dataclass
class BatchRun:
    request: BatchRequest
    loaded: LoadedInputs
    result: AuditResult
    history: History
    ledger_folder: Path

    @property
    def ledger_manifest(self) -> dict:
        return ledger_manifest(self.history)

    @property
    def content_hash(self) -> str:
        return self.loaded.sources["claims"][0].sha256


def run_batch(
    request: BatchRequest,
    packs: Sequence[RulePack],
    on_step: Callable[[str], None] | None = None,
) -> BatchRun:
    """`packs` as `load_rule_packs` returns them; the latest sets the reading limits, the
    attendance minutes and the ledger windows. `on_step("read" | "check")` is told as each
    step starts (the terminal's progress display)."""
    pack = packs[-1]
    step = on_step or (lambda name: None)
    step("read")
    loaded = load_inputs(
        request.claims,
        pack,
        attendance=request.attendance or None,
        sheet=request.sheet,
        references=request.references,
        today=request.today,
        columns=request.columns,
    )
    folder, _ = resolve_folder(request.ledger)
    with phase("ledger"):
        history = _history(request, packs, loaded, folder)
    attach_history(loaded.inputs, history)
    step("check")
    with phase("rules"):
        result = run_rules_by_pack(loaded.inputs, packs)
    return BatchRun(request, loaded, result, history, folder)


def _history(
    request: BatchRequest, packs: Sequence[RulePack], loaded: LoadedInputs, folder: Path
) -> History:
    return read_history(
        folder,
        loaded.inputs.claims,
        batch_id=request.resolved_batch_id,
        content_hash=loaded.sources["claims"][0].sha256,
        window_days=max(
            int(p[key])
            for p in packs
            for key in ("repeat_occupation_window_days", "repeat_project_window_days")
        ),
        with_totals="budget" in loaded.inputs.references,
    )


def attach_history(inputs: AuditInputs, history: History) -> None:
    """Give the rules what the ledger holds for this batch."""
    inputs.history = history.records
    inputs.history_totals = history.totals
    inputs.history_named = history.named
    inputs.history_returned = history.returned
    inputs.history_strikes = history.strikes


def ledger_manifest(history: History) -> dict:
    """The ledger as the manifest lists it: where, what was read, what was left out."""
    notes: list[str] = []
    if not history.exists:
        notes.append(
            "台账文件夹不存在，按无历史记录审核 / no ledger folder: judged without history"
        )
    else:
        notes.append(
            f"读取 {history.batches_read} 个批次的 {history.files_read} 个文件，"
            f"本批次人员的历史记录 {history.records.height} 条 / read {history.files_read} "
            f"files of {history.batches_read} batches, {history.records.height} records of "
            "this batch's persons"
        )
    if history.own_batch_skipped:
        names = "、".join(history.own_batch_skipped)
        notes.append(
            f"本批次已在台账中（{names}），审核时不计其自身记录 / this batch is in the "
            f"ledger ({names}); its own records are left out"
        )
    return {
        "folder": history.folder,
        "exists": history.exists,
        "batches_read": history.batches_read,
        "files_read": history.files_read,
        "records_read": history.records.height,
        "own_batch_left_out": history.own_batch_skipped,
        "notes": notes,
    }


@dataclass(frozen=True)
class ReportOptions:
    """How `check` reports a batch: language, masking, the review sample."""

    lang: str = "zh"
    mask_ids: bool = False
    sample: int | None = None  # --sample N: a review sample of the passing claims
    seed: int | None = None  # None: derived from the claims file's hash
    settings_file: str | None = None


@dataclass
class AuditedBatch:
    run: BatchRun
    report: Report


def audit_batch(
    request: BatchRequest,
    packs: Sequence[RulePack],
    options: ReportOptions,
    on_step: Callable[[str], None] | None = None,
) -> AuditedBatch:
    """`run_batch`, then the review sample (if asked) and the report, ready to write."""
    started = time.perf_counter()
    started_at = dt.datetime.now().isoformat(timespec="seconds")
    run = run_batch(request, packs, on_step)
    review_sample = None
    if options.sample is not None:
        seed = options.seed if options.seed is not None else seed_from_hash(run.content_hash)
        review_sample = draw_sample(run.result.claims, options.sample, seed)
    report = build_report(
        run.result,
        packs[-1],  # the latest: the report's parameters
        run.loaded.sources,
        lang=options.lang,
        mask_ids=options.mask_ids,
        started=started_at,
        duration_s=time.perf_counter() - started,
        ledger=run.ledger_manifest,
        sample=review_sample,
    )
    report.manifest["settings_file"] = options.settings_file
    report.manifest["column_names"] = [name.describe() for name in request.columns]
    lap("report")
    return AuditedBatch(run, report)


@dataclass
class Recorded:
    """What `ledger add` did: the outcome, and the claims paid and returned."""

    outcome: AddOutcome
    batch_id: str
    paid: int = 0
    returned: int = 0
    by_officer: int = 0
    changed: int = 0


def record_batch(
    request: BatchRequest,
    packs: Sequence[RulePack],
    *,
    decisions: Path | None = None,
    include_review: bool = False,
    replace: bool = False,
) -> Recorded:
    """`ledger add`: judge the batch again under the ledger's lock and record every claim
    with its final decision — the officer's from the reviewed workbook (`decisions`), else
    the rules' (SPEC §3.4)."""
    folder = request.ledger or resolve_folder(None)[0]
    claims_bytes = _bytes_of(request.claims)
    content_hash = hashlib.sha256(claims_bytes).hexdigest() if claims_bytes else ""
    reviewed = _bytes_of(decisions)  # read once: hashed here, its decisions read in `judge`
    decisions_sha = hashlib.sha256(reviewed).hexdigest() if decisions else None
    done = Recorded(AddOutcome("unchanged", 0, []), request.resolved_batch_id)

    def judge() -> pl.DataFrame:
        run = run_batch(request, packs)
        claims = run.result.claims
        if decisions is not None:
            read = read_decisions(decisions, reviewed, claims, run.content_hash)
            chosen, done.by_officer, done.changed = read.frame, read.by_officer, read.changed
        else:
            chosen = decisions_of_the_rules(
                claims, ("pass", "review") if include_review else ("pass",)
            )
        rows = ledger_rows(
            claims,
            chosen,
            batch_id=request.resolved_batch_id,
            content_hash=run.content_hash,
            source_file=request.claims.name,
            added_at=dt.datetime.now(dt.UTC),
            decisions_sha256=decisions_sha,
        )
        done.paid = int(rows["decision"].eq("pass").sum())
        done.returned = int(rows["decision"].eq("reject").sum())
        return rows

    done.outcome = write_batch(
        folder,
        judge,
        batch_id=request.resolved_batch_id,
        content_hash=content_hash,
        replace=replace,
        decisions_sha256=decisions_sha,
    )
    return done


def _bytes_of(path: Path | None) -> bytes:
    """A file's bytes for its hash; one that cannot be read is empty, and left to the
    reader, which says why in the user's words."""
    try:
        return path.read_bytes() if path is not None else b""
    except OSError:
        return b""
