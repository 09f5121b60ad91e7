"""`check` on a folder or several files: each batch on its own into the output folder,
what was already audited with the same inputs skipped, an index of every batch, and the
worst exit status of the batches checked in this run.

One batch that cannot be read never stops the others: its row in the index says why,
and its exit status is 2. Everything that is wrong with the run itself (the output folder,
the rule packs, the options) stops it before any batch, with nothing written.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wudi_audit import __version__
from wudi_audit.batches.discover import Batch, discover
from wudi_audit.batches.index import write_index
from wudi_audit.batches.log import BatchLog, scrub
from wudi_audit.batches.state import StateFile, file_sha256, fingerprint
from wudi_audit.errors import UserInputError
from wudi_audit.ledger.layout import resolve_folder
from wudi_audit.pipeline import BatchRequest, ReportOptions, audit_batch
from wudi_audit.read.files import references_from
from wudi_audit.report.outputs import validate_output_path
from wudi_audit.report.save import OutputLockedError, write_report
from wudi_audit.rules.pack import RulePack, load_rule_packs
from wudi_audit.schema.names import ColumnName

THRESHOLDS = {"reject": {"reject"}, "review": {"reject", "review"}, "never": set()}


@dataclass
class FolderRequest:
    paths: list[Path]
    out_dir: Path
    attendance: list[Path] = field(default_factory=list)  # empty: found beside each batch
    ref_dir: Path | None = None  # None: a `ref/` folder beside each batch, if any
    lists: dict[str, Path | None] = field(default_factory=dict)  # --providers …
    ledger: Path | None = None
    batch_id: str | None = None
    sheet: str | None = None
    rules: list[Path] = field(default_factory=list)
    lang: str = "zh"
    mask_ids: bool = False
    fail_on: str = "reject"
    force: bool = False
    settings_file: Path | None = None
    sample: int | None = None  # --sample N: a review sample of each batch
    seed: int | None = None  # None: each batch's seed derived from its claims file
    columns: list[ColumnName] = field(default_factory=list)  # the user's own names


def validate_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UserInputError(f"输出文件夹是一个文件：{out_dir}", f"--out-dir is a file: {out_dir}")
    parent = out_dir if out_dir.exists() else out_dir.parent
    if not parent.is_dir():
        raise UserInputError(
            f"输出文件夹的上级文件夹不存在：{parent}", f"--out-dir: no such folder {parent}"
        )
    if not os.access(parent, os.W_OK):
        raise UserInputError(
            f"输出文件夹不可写：{parent}", f"--out-dir: folder is not writable: {parent}"
        )


def run_folder(request: FolderRequest, log: BatchLog) -> int:
    """Check every batch; returns the exit status (2 > 1 > 0 over the batches checked)."""
    started_at = dt.datetime.now().isoformat(timespec="seconds")
    validate_out_dir(request.out_dir)
    packs = load_rule_packs(request.rules or None)
    batches = discover(request.paths)
    if request.batch_id and len(batches) > 1:
        raise UserInputError(
            "多个批次时不能指定 --batch-id（批次编号取各自的文件名）",
            "--batch-id applies to one batch; with several, each is named after its file",
        )
    request.out_dir.mkdir(exist_ok=True)
    state = StateFile(request.out_dir)
    recorded = state.read()
    if state.warning:
        log.warn(state.warning)
    rows: list[dict[str, Any]] = []
    for batch in batches:
        row = _one(request, batch, packs, state, recorded, log)
        log.batch(row)
        rows.append(row)
    checked = [r for r in rows if r["status"] != "skipped"]
    exit_code = max((r["exit_code"] for r in checked), default=0)
    manifest = {
        "tool": "wudi-audit",
        "version": __version__,
        "started_at": started_at,
        "settings_file": str(request.settings_file) if request.settings_file else None,
        "out_dir": str(request.out_dir),
        "rule_packs": [p.describe() for p in packs],
        "fail_on": request.fail_on,
        "forced": request.force,
    }
    try:
        index = write_index(request.out_dir, rows, manifest, request.lang)
    except OutputLockedError as exc:
        log.warn(f"{exc.zh} / {exc.en}")
        index, exit_code = request.out_dir / "index.xlsx", 2
    log.finished(
        {
            "batches": len(rows),
            "checked": sum(r["status"] == "checked" for r in rows),
            "skipped": sum(r["status"] == "skipped" for r in rows),
            "errors": sum(r["status"] == "error" for r in checked),
            "exit_code": exit_code,
            "index": str(index),
        }
    )
    return exit_code


def _options(request: FolderRequest) -> dict[str, Any]:
    """What, besides the inputs, changes a batch's outputs or exit status."""
    return {
        "lang": request.lang,
        "mask_ids": request.mask_ids,
        "fail_on": request.fail_on,
        "sheet": request.sheet,
        "batch_id": request.batch_id,
        "ledger": str(resolve_folder(request.ledger)[0]),
        "sample": request.sample,
        "seed": request.seed,
        # the user's own names change how a file is read (absent: as before they existed)
        **({"columns": [n.describe() for n in request.columns]} if request.columns else {}),
    }


def batch_row(batch: Batch, workbook: Path, json_path: Path | None) -> dict[str, Any]:
    return {
        "batch": batch.name,
        "file": str(batch.claims),
        "status": "checked",
        "exit_code": 0,
        "claims": None,
        "claimed_amount": None,
        "claims_pass": None,
        "claims_review": None,
        "claims_reject": None,
        "flagged": None,
        "passing_amount": None,
        "amount_at_stake": None,
        "workbook": str(workbook),
        "json": str(json_path) if json_path else "",
        "audited_at": dt.datetime.now().isoformat(timespec="seconds"),
        "error": "",
    }


def _one(
    request: FolderRequest,
    batch: Batch,
    packs: list[RulePack],
    state: StateFile,
    recorded: dict[str, dict[str, Any]],
    log: BatchLog,
) -> dict[str, Any]:
    workbook = request.out_dir / f"{batch.name}.exceptions.xlsx"
    json_path = request.out_dir / f"{batch.name}.exceptions.json"
    row = batch_row(batch, workbook, json_path)
    try:
        claims_request, print_ = _prepare(request, batch, packs, workbook, json_path)
    except UserInputError as exc:
        return {**row, **_failed(_message(exc))}
    before = recorded.get(batch.name)
    if (
        not request.force
        and before is not None
        and before.get("fingerprint") == print_
        and (before["row"]["status"] == "error" or (workbook.exists() and json_path.exists()))
    ):
        return {**before["row"], "status": "skipped"}
    record = True
    try:
        with log.working(str(batch.claims)):
            row.update(_check(request, claims_request, packs, workbook, json_path))
    except OutputLockedError as exc:
        row.update(_failed(_message(exc)))
        record = False  # nothing was judged: run it again once the file is closed
    except UserInputError as exc:  # the same inputs fail alike: not tried again
        row.update(_failed(_message(exc)))
    except Exception as exc:  # a bug must not stop the other batches; it is reported
        row.update(_failed(scrub(f"内部错误 / internal error: {type(exc).__name__}: {exc}")))
        record = False
    if record:
        state.record(batch.name, print_, row)
    return row


def _failed(message: str) -> dict[str, Any]:
    return {"status": "error", "exit_code": 2, "error": message, "workbook": "", "json": ""}


def _message(exc: UserInputError) -> str:
    return scrub(f"{exc.zh} / {exc.en}")


def _prepare(
    request: FolderRequest, batch: Batch, packs: list[RulePack], workbook: Path, json_path: Path
) -> tuple[BatchRequest, dict[str, Any]]:
    """The batch's inputs (given for all, else found beside it), its outputs checked, and
    the fingerprint that decides whether it was already audited."""
    attendance = request.attendance or batch.attendance
    references = references_from(request.ref_dir or batch.ref_dir, request.lists)
    claims_request = BatchRequest(
        batch.claims,
        attendance,
        references,
        request.ledger,
        request.batch_id,
        request.sheet,
        columns=request.columns,
    )
    for path, zh, en in ((workbook, "异常工作簿", "workbook"), (json_path, "JSON", "JSON")):
        validate_output_path(path, claims_request.inputs, zh, en)
    try:
        print_ = fingerprint(
            file_sha256(batch.claims),
            attendance,
            references,
            [p.sha256 for p in packs],
            _options(request),
        )
    except OSError as exc:
        raise UserInputError(
            f"无法读取文件：{exc.filename}", f"cannot read {exc.filename}: {exc.strerror}"
        ) from None
    return claims_request, print_


def _check(
    request: FolderRequest,
    claims_request: BatchRequest,
    packs: list[RulePack],
    workbook: Path,
    json_path: Path,
) -> dict[str, Any]:
    settings = str(request.settings_file) if request.settings_file else None
    options = ReportOptions(request.lang, request.mask_ids, request.sample, request.seed, settings)
    audited = audit_batch(claims_request, packs, options)
    write_report(audited.report, workbook, json_path)
    return summary_fields(audited.report, audited.run.result.claims, request.fail_on)


def summary_fields(report: Any, claims: Any, fail_on: str) -> dict[str, Any]:
    """A checked batch's figures as the index and the log show them, and its exit status."""
    s = report.summary
    verdicts = set(claims["verdict"].unique().to_list())
    return {
        "exit_code": 1 if verdicts & THRESHOLDS[fail_on] else 0,
        "claims": s["claims"],
        "claimed_amount": s["claimed_amount"],
        "claims_pass": s["claims_pass"],
        "claims_review": s["claims_review"],
        "claims_reject": s["claims_reject"],
        "flagged": s["claims_review"] + s["claims_reject"],
        "passing_amount": s["passing_amount"],
        "amount_at_stake": s["amount_at_stake"],
    }
