"""`wudi-audit ledger add | list | remove`: the history of what was paid."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from wudi_audit.batches.settings import resolve_options
from wudi_audit.cli.help import Command, Group
from wudi_audit.cli.options import (
    AttendanceOption,
    BatchIdOption,
    BudgetOption,
    CatalogOption,
    ColumnOption,
    ConfigOption,
    ExcludedOption,
    LedgerOption,
    ProvidersOption,
    RefDirOption,
    RulesOption,
    StandardsOption,
    UrbanRuralOption,
)
from wudi_audit.read.files import list_options, references_from

ledger_app = typer.Typer(
    cls=Group,
    no_args_is_help=True,
    help="历史台账：记入、列出、移出已通过的批次 / the ledger of accepted batches.",
)


@ledger_app.command("add", cls=Command)
def add(
    claims: Annotated[Path, typer.Argument(help="申领明细 claims file")],
    attendance: AttendanceOption = None,
    ref_dir: RefDirOption = None,
    excluded: ExcludedOption = None,
    catalog: CatalogOption = None,
    providers: ProvidersOption = None,
    standards: StandardsOption = None,
    budget: BudgetOption = None,
    urban_rural: UrbanRuralOption = None,
    rules: RulesOption = None,
    column: ColumnOption = None,
    ledger: LedgerOption = None,
    batch_id: BatchIdOption = None,
    sheet: Annotated[str | None, typer.Option(help="工作表名 / sheet name")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="替换同编号的已有批次 / replace the batch")
    ] = False,
    include_review: Annotated[
        bool,
        typer.Option("--include-review", help="复核的申领也记入 / record claims for review too"),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """重新审核并把通过的申领记入台账 / re-check a batch and record its passed claims."""
    import hashlib

    from wudi_audit.ledger.layout import ledger_error
    from wudi_audit.ledger.record import existing_content, ledger_rows, write_batch
    from wudi_audit.pipeline import BatchRequest, run_batch
    from wudi_audit.rules.pack import load_rule_packs

    resolved = resolve_options(config, ledger=ledger, ref_dir=ref_dir, rules=rules, columns=column)
    folder, ref_dir, rules = resolved.ledger, resolved.ref_dir, resolved.rules
    if folder.exists() and not folder.is_dir():
        raise ledger_error(f"{folder} 不是文件夹", f"{folder} is not a folder")
    request = BatchRequest(
        claims,
        attendance or [],
        references_from(
            ref_dir,
            list_options(excluded, catalog, providers, standards, budget, urban_rural),
        ),
        folder,
        batch_id,
        sheet,
        columns=resolved.columns,
    )
    packs = load_rule_packs(rules)
    try:
        content_hash = hashlib.sha256(claims.read_bytes()).hexdigest()
    except OSError:
        content_hash = ""  # the reader gives the proper message below
    if content_hash and (same := existing_content(folder, content_hash)):
        typer.echo(_unchanged(same))
        raise typer.Exit(0)
    verdicts = ("pass", "review") if include_review else ("pass",)
    left_out: dict[str, int] = {}

    def judge():
        run = run_batch(request, packs)
        counts = dict(run.result.claims.group_by("verdict").len().iter_rows())
        left_out.update({v: n for v, n in counts.items() if v not in verdicts})
        return ledger_rows(
            run.result.claims,
            batch_id=request.resolved_batch_id,
            content_hash=run.content_hash,
            source_file=claims.name,
            verdicts=verdicts,
            added_at=dt.datetime.now(dt.UTC),
        )

    outcome = write_batch(
        folder,
        judge,
        batch_id=request.resolved_batch_id,
        content_hash=content_hash,
        replace=replace,
    )
    if outcome.status == "unchanged":
        typer.echo(_unchanged(outcome.same_content_as))
        raise typer.Exit(0)
    names = {"reject": "退回 reject", "review": "复核 review"}
    why = "，".join(f"{names.get(v, v)} {n} 笔" for v, n in sorted(left_out.items()))
    verb = "替换并记入 / replaced," if outcome.status == "replaced" else "记入 / recorded"
    years = "、".join(str(y) for y in outcome.years) or "—"
    typer.echo(
        f"wudi-audit: 台账 {folder}：批次“{request.resolved_batch_id}”{verb} "
        f"{outcome.recorded} 笔（年度 {years}）；未记入 / left out：{why or '0'}"
    )


def _unchanged(batch_id: str) -> str:
    return (
        f"wudi-audit: 台账中已有内容相同的批次“{batch_id}”，未作改动 / the ledger already "
        f"holds this content as batch {batch_id!r}; nothing changed"
    )


@ledger_app.command("list", cls=Command)
def list_(
    ledger: LedgerOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
    config: ConfigOption = None,
) -> None:
    """列出台账中的批次 / list the batches in the ledger."""
    from rich.console import Console
    from rich.table import Table

    from wudi_audit.ledger.record import list_batches

    folder = resolve_options(config, ledger=ledger).ledger
    batches = list_batches(folder)
    if as_json:
        document = [
            {
                "batch_id": b.batch_id,
                "years": sorted(set(b.years)),
                "claims": b.claims,
                "amount": round(b.amount_fen / 100, 2),
                "added_at": b.added_at,
                "content_hash": b.content_hash,
            }
            for b in batches
        ]
        typer.echo(json.dumps(document, ensure_ascii=False, indent=1))
        return
    if not batches:
        typer.echo(f"wudi-audit: 台账 {folder} 中没有批次 / no batches in the ledger")
        return
    table = Table(title=f"台账 / ledger {folder}")
    for header, justify in (
        ("批次 batch", "left"),
        ("年度 years", "left"),
        ("笔数 claims", "right"),
        ("金额（元）amount", "right"),
        ("记入时间 added (UTC)", "left"),
        ("内容哈希 hash", "left"),
    ):
        table.add_column(header, justify=justify)
    for b in batches:
        table.add_row(
            b.batch_id,
            "、".join(str(y) for y in sorted(set(b.years))),
            f"{b.claims:,}",
            f"{b.amount_fen / 100:,.2f}",
            b.added_at,
            b.content_hash[:12],
        )
    Console(highlight=False).print(table)


@ledger_app.command("remove", cls=Command)
def remove(
    batch: Annotated[str, typer.Argument(help="批次编号 / batch id")],
    ledger: LedgerOption = None,
    config: ConfigOption = None,
) -> None:
    """把一个批次移出台账（移入 .removed/，可恢复）/ move a batch out of the ledger."""
    from wudi_audit.ledger.record import remove_batch

    folder = resolve_options(config, ledger=ledger).ledger
    moved = remove_batch(folder, batch)
    where = moved[0].parent.parent if moved else folder
    typer.echo(
        f"wudi-audit: 批次“{batch}”已移出台账（{len(moved)} 个文件移入 {where}，可移回恢复）"
        f" / batch moved out of the ledger into {where}"
    )
