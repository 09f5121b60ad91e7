"""`wudi-audit ledger add | list | remove`: the history of what was paid."""

from __future__ import annotations

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
from wudi_audit.errors import UserInputError
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
        typer.Option(
            "--include-review", help="复核的申领按通过记入 / record claims for review as paid"
        ),
    ] = False,
    decisions: Annotated[
        Path | None,
        typer.Option(
            "--decisions",
            help="复核后的异常工作簿（填好复核结论）/ the reviewed workbook with the decisions",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """重新审核并把每笔申领按最终结论记入台账 / re-check a batch and record every claim with
    its final decision."""
    from wudi_audit.ledger.layout import ledger_error
    from wudi_audit.pipeline import BatchRequest, record_batch
    from wudi_audit.rules.pack import load_rule_packs

    resolved = resolve_options(config, ledger=ledger, ref_dir=ref_dir, rules=rules, columns=column)
    folder, ref_dir, rules = resolved.ledger, resolved.ref_dir, resolved.rules
    if folder.exists() and not folder.is_dir():
        raise ledger_error(f"{folder} 不是文件夹", f"{folder} is not a folder")
    if decisions is not None and include_review:
        raise UserInputError(
            "--decisions 与 --include-review 不能同时使用：复核的申领按复核结论记入",
            "--decisions and --include-review exclude each other: the workbook decides",
        )
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
    done = record_batch(
        request,
        load_rule_packs(rules),
        decisions=decisions,
        include_review=include_review,
        replace=replace,
    )
    outcome = done.outcome
    if outcome.status == "unchanged":
        typer.echo(_unchanged(outcome.same_content_as))
        raise typer.Exit(0)
    verb = "替换并记入 / replaced," if outcome.status == "replaced" else "记入 / recorded"
    years = "、".join(str(y) for y in outcome.years) or "—"
    by = (
        f"；复核人决定 {done.by_officer} 笔，其中改判 {done.changed} 笔 / officer decided "
        f"{done.by_officer}, changed {done.changed}"
        if decisions is not None
        else "；按审核结论 / as the rules decided"
    )
    typer.echo(
        f"wudi-audit: 台账 {folder}：批次“{done.batch_id}”{verb} {outcome.recorded} 笔"
        f"（年度 {years}）：通过 / paid {done.paid} 笔，退回 / returned {done.returned} 笔{by}"
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
        document = [b.document() for b in batches]
        typer.echo(json.dumps(document, ensure_ascii=False, indent=1))
        return
    if not batches:
        typer.echo(f"wudi-audit: 台账 {folder} 中没有批次 / no batches in the ledger")
        return
    rows = [
        (
            b.batch_id,
            "、".join(str(y) for y in sorted(set(b.years))),
            f"{b.paid:,}",
            f"{b.paid_fen / 100:,.2f}",
            f"{b.returned:,}",
            f"{b.returned_fen / 100:,.2f}",
            f"{b.by_officer:,}",
            f"{b.changed:,}",
            b.added_at,
            b.content_hash,
        )
        for b in batches
    ]
    console = Console(highlight=False)
    if not console.is_terminal:
        # a pipe, a cron log: one plain line per batch, every column whole
        typer.echo("\t".join(h for h, _ in LIST_COLUMNS))
        for row in rows:
            typer.echo("\t".join(row))
        return
    table = Table(title=f"台账 / ledger {folder}")
    for header, justify in LIST_COLUMNS:
        table.add_column(header, justify=justify, overflow="fold")
    for row in rows:
        table.add_row(*row[:-1], row[-1][:12])
    console.print(table)


LIST_COLUMNS = (
    ("批次 batch", "left"),
    ("年度 years", "left"),
    ("通过 paid", "right"),
    ("通过金额 paid (yuan)", "right"),
    ("退回 returned", "right"),
    ("退回金额 returned (yuan)", "right"),
    ("复核人决定 by officer", "right"),
    ("改判 changed", "right"),
    ("记入时间 added (UTC)", "left"),
    ("内容哈希 hash", "left"),
)


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
