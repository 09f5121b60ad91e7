"""`wudi-audit rules`, `explain` and `schema`: what the tool checks and reads, generated
from the rule registry and the table schemas (the same text as the docs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wudi_audit.errors import UserInputError


def list_rules(
    markdown: Annotated[bool, typer.Option("--markdown", help="输出规则文档 / rule docs")] = False,
) -> None:
    """列出全部规则 / list every rule."""
    from wudi_audit.checks import REGISTRY

    if markdown:
        from wudi_audit.cli.docs import rules_markdown

        typer.echo(rules_markdown(), nl=False)
        return
    for code in sorted(REGISTRY):
        r = REGISTRY[code]
        typer.echo(f"{code}\t{r.severity.value}\t{r.name_zh} / {r.name_en}")


def explain(
    code: Annotated[str, typer.Argument(help="规则代码，如 T202 / rule code, e.g. T202")],
    rules: Annotated[
        Path | None, typer.Option(help="规则包 TOML（参数取值）/ rule pack for the values")
    ] = None,
) -> None:
    """说明一条规则：条款、检查内容、参数、示例、处理建议 / explain one rule."""
    from wudi_audit.checks import REGISTRY
    from wudi_audit.cli.docs import explain_text
    from wudi_audit.rules.pack import load_rule_pack

    rule = REGISTRY.get(code.strip().upper())
    if rule is None:
        raise UserInputError(
            f"没有规则 {code}；可用：{'、'.join(sorted(REGISTRY))}",
            f"no rule {code}; known: {', '.join(sorted(REGISTRY))}",
        )
    typer.echo(explain_text(rule, load_rule_pack(rules)))


def schema(
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown")] = False,
) -> None:
    """列出每张表可识别的表头 / the accepted headers of every table."""
    from wudi_audit.cli.docs import schema_markdown
    from wudi_audit.schema.tables import TABLES

    if markdown:
        typer.echo(schema_markdown(), nl=False)
        return
    console = Console(highlight=False)
    for table in TABLES.values():
        grid = Table(title=f"{table.label_zh} ({table.name})", title_justify="left")
        grid.add_column("字段 / field")
        grid.add_column("名称 / label")
        grid.add_column("必填 / required")
        grid.add_column("可识别的表头 / accepted headers", overflow="fold")
        for f in table.fields:
            grid.add_row(
                f.name,
                f.label_zh,
                "必填 yes" if f.required else "可选 no",
                "、".join(f.aliases),
            )
        console.print(grid)
