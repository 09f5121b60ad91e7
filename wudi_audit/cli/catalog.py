"""`wudi-audit catalog check` (O407): the catalogue itself, before claims are paid under it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from wudi_audit.cli.help import Command, Group
from wudi_audit.cli.options import Lang

catalog_app = typer.Typer(
    cls=Group, no_args_is_help=True, help="项目目录清单检查 / checks of the catalogue itself."
)


@catalog_app.command("check", cls=Command)
def catalog_check(
    catalog: Annotated[Path, typer.Argument(help="项目目录清单 / catalogue")],
    urban_rural: Annotated[
        Path,
        typer.Option("--urban-rural", help="城乡劳动者职业技能培训项目 / urban-rural projects"),
    ],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="结果工作簿 / workbook")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="JSON 输出（- 为标准输出）")
    ] = None,
    rules: Annotated[Path | None, typer.Option(help="规则包 TOML / rule pack")] = None,
    lang: Annotated[Lang, typer.Option(help="输出语言 / output language")] = Lang.zh,
) -> None:
    """O407：目录项目与城乡劳动者职业技能培训项目重合 / catalogue vs urban-rural projects.
    Exit 1 when any entry overlaps, 0 when none, 2 on bad input."""
    import json

    from wudi_audit.checks.catalogue import check_catalog
    from wudi_audit.report.catalog import to_document, write_catalog_workbook
    from wudi_audit.report.outputs import AtomicOutputs, validate_output_path, write_bytes_output
    from wudi_audit.rules.pack import load_rule_pack

    started = dt.datetime.now().isoformat(timespec="seconds")
    workbook_path = output or catalog.with_name(f"{catalog.stem}.overlaps.xlsx")
    inputs = [catalog, urban_rural]
    validate_output_path(workbook_path, inputs, "结果工作簿", "workbook")
    validate_output_path(json_out, inputs, "JSON 输出", "JSON output")
    pack = load_rule_pack(rules)
    result = check_catalog(catalog, urban_rural, pack)
    document = to_document(result, lang.value, started)
    outputs = AtomicOutputs()
    try:
        if str(workbook_path) != "-":
            write_catalog_workbook(document, outputs.temporary_for(workbook_path), lang.value)
        if json_out is not None:
            text = json.dumps(document, ensure_ascii=False, indent=1, default=str)
            write_bytes_output(json_out, text.encode("utf-8"), outputs)
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
    zh = lang is Lang.zh
    console = Console(stderr=str(json_out) == "-", highlight=False)
    count = result.overlaps.height
    console.print(
        f"wudi-audit: 目录 {result.entries} 项，与城乡劳动者职业技能培训项目重合 {count} 项"
        if zh
        else f"wudi-audit: {result.entries} catalogue entries, {count} overlap the "
        "urban-rural list",
        soft_wrap=True,
    )
    for path in (workbook_path, json_out):
        if path is not None and str(path) != "-":
            console.print(f"wudi-audit: {'已写入' if zh else 'wrote'} {path}", soft_wrap=True)
    raise typer.Exit(1 if count else 0)
