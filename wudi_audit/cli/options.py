"""Options and choices the commands share: each option declared once, with its help text."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class FailOn(StrEnum):
    reject = "reject"
    review = "review"
    never = "never"


AttendanceOption = Annotated[
    list[Path] | None,
    typer.Option("--attendance", "-a", help="考勤记录文件或文件夹，可多次给出 / attendance"),
]
RefDirOption = Annotated[Path | None, typer.Option(help="参考名单文件夹 / reference lists")]
ExcludedOption = Annotated[
    list[Path] | None,
    typer.Option(
        help="排除人员名单（财政供养、死亡、服刑人员等），可多次给出 / excluded persons, repeatable"
    ),
]
LedgerOption = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        help="历史台账文件夹（默认 $WUDI_LEDGER 或 ./wudi-ledger）/ ledger folder",
        show_default=False,
    ),
]
BatchIdOption = Annotated[
    str | None,
    typer.Option("--batch-id", help="批次编号（默认为申领文件名）/ batch id (default: file stem)"),
]
StandardsOption = Annotated[
    Path | None, typer.Option(help="就业技能培训补贴标准目录 / employment-skill standards list")
]
BudgetOption = Annotated[Path | None, typer.Option(help="总额控制预算 / budget list")]
CatalogOption = Annotated[Path | None, typer.Option(help="项目目录清单 / catalogue of projects")]
ProvidersOption = Annotated[Path | None, typer.Option(help="备案机构名单 / registered providers")]
UrbanRuralOption = Annotated[
    Path | None,
    typer.Option("--urban-rural", help="城乡劳动者职业技能培训项目 / urban-rural projects"),
]
RulesOption = Annotated[
    list[Path] | None,
    typer.Option(help="规则包 TOML，可多次给出（按开班日期选用）/ rule packs by start date"),
]
ColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        help="指明某字段对应的表头，可多次给出，如 --column amount=本次申请补贴 / name the "
        "header of a field (FIELD=HEADER, repeatable)",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="设置文件（默认就近的 wudi-audit.toml）/ settings file"),
]
