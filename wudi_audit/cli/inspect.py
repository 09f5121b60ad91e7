"""`wudi-audit inspect FILE`: how a file is understood, before any check — on a terminal
as a table, under a pipe or cron as plain tab-separated lines, `--json` for programs.
Exit 0 when every required field is found, 2 otherwise."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wudi_audit.cli.options import ColumnOption, ConfigOption
from wudi_audit.schema.tables import TABLES


class TableName(StrEnum):
    claims = "claims"
    attendance = "attendance"
    catalog = "catalog"
    providers = "providers"
    excluded = "excluded"
    standards = "standards"
    budget = "budget"
    urban_rural = "urban_rural"


def inspect(
    file: Annotated[Path, typer.Argument(help="要查看的表格文件 / the file to look at")],
    table: Annotated[
        TableName, typer.Option("--table", help="按哪张表识别 / read it as this table")
    ] = TableName.claims,
    column: ColumnOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 / JSON output")] = False,
    config: ConfigOption = None,
) -> None:
    """查看文件的表头如何被识别（不做审核）/ show how a file's headers are understood."""
    from wudi_audit.batches.settings import resolve_options
    from wudi_audit.read.inspect import inspect_file
    from wudi_audit.schema.names import with_names

    if column and table is not TableName.claims:
        from wudi_audit.errors import UserInputError

        raise UserInputError(
            "--column 只用于申领明细；其他表请在 wudi-audit.toml 的 [columns.<表>] 中指定",
            "--column names claims columns; for other tables use [columns.<table>] in "
            "wudi-audit.toml",
        )
    resolved = resolve_options(config, columns=column)
    schema = with_names(TABLES[table.value], resolved.columns)
    found = inspect_file(file, schema)
    if as_json:
        typer.echo(json.dumps(found.document(), ensure_ascii=False, indent=1))
        raise typer.Exit(0 if found.complete else 2)
    console = Console(highlight=False)
    if console.is_terminal:
        _print_table(console, found, schema.label_zh)
    else:
        _print_lines(found)
    raise typer.Exit(0 if found.complete else 2)


def _print_table(console: Console, found, label: str) -> None:
    where = f"{found.path}" + (f"［{found.sheet}］" if found.sheet else "")
    rows = "、".join(str(r) for r in found.header_rows) or "—"
    grid = Table(title=f"{label}：{where}，表头行 / header row {rows}", title_justify="left")
    grid.add_column("表头 / header", overflow="fold")
    grid.add_column("读作字段 / read as", overflow="fold")
    grid.add_column("单位 / unit", overflow="fold")
    for header, field in found.columns:
        read_as = field or "忽略 / ignored"
        if field in found.mapped:
            read_as += "（指定 / named）"
        unit = found.units.get(field, "") if field else ""
        if field in found.scales:
            unit += f" ×{found.scales[field]:,}"
        grid.add_row(header, read_as, unit)
    console.print(grid)
    for line in _missing_lines(found):
        console.print(line, soft_wrap=True)


def _print_lines(found) -> None:
    typer.echo(f"file\t{found.path}")
    if found.sheet:
        typer.echo(f"sheet\t{found.sheet}")
    typer.echo("header_rows\t" + ",".join(str(r) for r in found.header_rows))
    for header, field in found.columns:
        unit = found.units.get(field, "") if field else ""
        named = "named" if field in found.mapped else ""
        typer.echo("\t".join(["column", header, field or "ignored", unit, named]).rstrip("\t"))
    for line in _missing_lines(found):
        typer.echo(line)


def _missing_lines(found) -> list[str]:
    if found.complete:
        return [
            f"wudi-audit: 必需字段齐全，可以审核（{found.rows:,} 行数据）/ every required "
            f"field found ({found.rows:,} data rows)"
        ]
    lines = []
    for m in found.missing:
        close = f"，最接近的表头“{m.closest}” / closest header {m.closest!r}" if m.closest else ""
        lines.append(f"missing\t{m.field}（{m.label}）{close}\t{m.fix}")
    return lines
