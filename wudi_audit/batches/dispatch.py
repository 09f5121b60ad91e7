"""How `check`'s arguments decide the run: the settings file's defaults under the options
given, and one batch the classic way or a folder run into an output folder.

A folder run happens when `check` is given a folder, several files, or `--out-dir` (or an
`out_dir` in the settings file while neither `-o` nor `--json` is given). A single file
without any of these is checked exactly as before: outputs beside it or at `-o`/`--json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wudi_audit.batches.discover import Batch
from wudi_audit.batches.log import BatchLog
from wudi_audit.batches.settings import resolve_options
from wudi_audit.errors import UserInputError
from wudi_audit.schema.names import ColumnName


@dataclass
class CheckArgs:
    claims: list[Path]
    attendance: list[Path]
    ref_dir: Path | None
    ledger: Path | None
    rules: list[Path] | None
    output: Path | None
    json_out: Path | None
    out_dir: Path | None
    config: Path | None
    mask_ids: bool | None
    lang: str | None
    columns: list[str] = field(default_factory=list)  # --column FIELD=HEADER


@dataclass
class CheckPlan:
    claims: list[Path]
    ref_dir: Path | None
    ledger: Path | None
    rules: list[Path] | None
    mask_ids: bool
    lang: str
    out_dir: Path | None  # None: one batch, the classic way
    settings_file: str | None
    columns: list[ColumnName] = field(default_factory=list)


def resolve_check(args: CheckArgs) -> CheckPlan:
    """Options given win over the settings file; the ledger's order is `--ledger`, then
    `$WUDI_LEDGER`, then the settings file, then `./wudi-ledger`."""
    resolved = resolve_options(
        args.config,
        ledger=args.ledger,
        ref_dir=args.ref_dir,
        rules=args.rules,
        mask_ids=args.mask_ids,
        lang=args.lang,
        columns=args.columns,
    )
    settings = resolved.settings
    explicit_outputs = args.output is not None or args.json_out is not None
    out_dir = args.out_dir
    several = len(args.claims) > 1 or any(p.is_dir() for p in args.claims)
    if out_dir is None and settings.out_dir is not None and not explicit_outputs:
        out_dir = settings.out_dir
    if explicit_outputs and (args.out_dir is not None or several):
        raise UserInputError(
            "-o/--json 只用于单个批次；批量审核时各批次的输出写入 --out-dir",
            "-o/--json name one batch's outputs; with a folder, several batches or --out-dir "
            "each batch is written into the output folder",
        )
    if several and out_dir is None:
        raise UserInputError(
            "审核文件夹或多个批次时须用 --out-dir 指定输出文件夹"
            "（或在 wudi-audit.toml 中设 out_dir）",
            "a folder or several batches need --out-dir (or out_dir in wudi-audit.toml)",
        )
    return CheckPlan(
        claims=args.claims,
        ref_dir=resolved.ref_dir,
        ledger=resolved.ledger,
        rules=resolved.rules,
        mask_ids=resolved.mask_ids,
        lang=resolved.lang,
        out_dir=out_dir,
        settings_file=str(settings.file) if settings.file else None,
        columns=resolved.columns,
    )


def run_folder_from_cli(
    plan: CheckPlan,
    attendance: list[Path] | None,
    excluded: Path | None,
    catalog: Path | None,
    providers: Path | None,
    standards: Path | None,
    budget: Path | None,
    urban_rural: Path | None,
    batch_id: str | None,
    sheet: str | None,
    fail_on: str,
    force: bool,
    log_json: bool,
    quiet: bool,
    sample: int | None = None,
    seed: int | None = None,
) -> int:
    from wudi_audit.batches.run import FolderRequest, run_folder
    from wudi_audit.read.files import list_options

    assert plan.out_dir is not None
    request = FolderRequest(
        paths=plan.claims,
        out_dir=plan.out_dir,
        attendance=attendance or [],
        ref_dir=plan.ref_dir,
        lists=list_options(excluded, catalog, providers, standards, budget, urban_rural),
        ledger=plan.ledger,
        batch_id=batch_id,
        sheet=sheet,
        rules=plan.rules or [],
        lang=plan.lang,
        mask_ids=plan.mask_ids,
        fail_on=fail_on,
        force=force,
        settings_file=Path(plan.settings_file) if plan.settings_file else None,
        sample=sample,
        seed=seed,
        columns=plan.columns,
    )
    return run_folder(request, BatchLog(json_lines=log_json, quiet=quiet, lang=plan.lang))


def log_single(
    report: Any,
    result: Any,
    claims: Path,
    workbook: Path,
    json_out: Path | None,
    fail_on: str,
    log_json: bool,
    quiet: bool,
) -> None:
    """One batch checked the classic way, logged like a folder run's batch (on standard
    error when an output goes to standard output)."""
    from wudi_audit.batches.run import batch_row, summary_fields

    row = batch_row(Batch(claims, claims.stem), workbook, json_out)
    row.update(summary_fields(report, result.claims, fail_on))
    to_stdout = "-" in (str(workbook), str(json_out))
    BatchLog(json_lines=log_json, quiet=quiet, lang=report.lang, to_stderr=to_stdout).batch(row)
