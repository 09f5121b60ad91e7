"""Options shared by `check` and `ledger add`, and finding reference lists in a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wudi_audit.errors import UserInputError

REFERENCE_STEMS = ("catalog", "providers", "excluded", "standards", "budget", "urban_rural")


def reference_files(ref_dir: Path | None) -> dict[str, Path]:
    if ref_dir is None:
        return {}
    if not ref_dir.is_dir():
        raise UserInputError(f"参考名单文件夹不存在：{ref_dir}", f"no such folder: {ref_dir}")
    found: dict[str, Path] = {}
    for path in sorted(ref_dir.iterdir()):
        stem = path.stem.lower()
        if stem in REFERENCE_STEMS and path.is_file():
            if stem in found:
                raise UserInputError(
                    f"参考名单“{stem}”有两个文件：{found[stem].name}、{path.name}",
                    f"two files for the list {stem}: {found[stem].name}, {path.name}",
                )
            found[stem] = path
    return found


def list_options(
    excluded: Path | None,
    catalog: Path | None,
    providers: Path | None,
    standards: Path | None,
    budget: Path | None,
    urban_rural: Path | None,
) -> dict[str, Path | None]:
    """The one-list options by list name (SPEC §3.3's file stems)."""
    return {
        "excluded": excluded,
        "catalog": catalog,
        "providers": providers,
        "standards": standards,
        "budget": budget,
        "urban_rural": urban_rural,
    }


def references_from(ref_dir: Path | None, lists: dict[str, Path | None]) -> dict[str, Path]:
    """Reference lists from `--ref-dir`, each overridden by its own option."""
    references = reference_files(ref_dir)
    references.update({name: path for name, path in lists.items() if path is not None})
    return references


AttendanceOption = Annotated[
    list[Path] | None,
    typer.Option("--attendance", "-a", help="考勤记录文件或文件夹，可多次给出 / attendance"),
]
RefDirOption = Annotated[Path | None, typer.Option(help="参考名单文件夹 / reference lists")]
ExcludedOption = Annotated[
    Path | None, typer.Option(help="财政供养人员名单 / excluded-persons roster")
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
