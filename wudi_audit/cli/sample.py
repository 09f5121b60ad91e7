"""`wudi-audit sample`: write a realistic batch with planted problems, and list them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from wudi_audit.cli.progress import progress_steps
from wudi_audit.errors import UserInputError


def sample(
    out: Annotated[Path, typer.Option(help="输出文件夹 / output folder")] = Path("sample_data"),
    claims: Annotated[int, typer.Option("--claims", help="申领笔数 / number of claims")] = 200,
    seed: Annotated[int, typer.Option(help="随机种子 / random seed")] = 20260301,
    fmt: Annotated[str, typer.Option("--format", help="xlsx、csv 或 parquet")] = "xlsx",
    title_rows: Annotated[int, typer.Option(help="表头上方的标题行数 / title rows")] = 1,
    serial_column: Annotated[
        bool, typer.Option("--serial-column", help="首列加“序号”（25 列）/ a leading 序号")
    ] = False,
    attendance: Annotated[
        bool, typer.Option("--attendance/--no-attendance", help="生成考勤 / attendance")
    ] = True,
    attendance_sheets: Annotated[
        int | None, typer.Option(help="考勤平均分到几个工作表 / attendance sheets")
    ] = None,
    all_references: Annotated[
        bool, typer.Option("--all-references", help="五个参考名单 / five reference lists")
    ] = False,
) -> None:
    """生成含已知问题的示例批次 / write a realistic sample batch with planted problems."""
    from wudi_audit.checks import REGISTRY
    from wudi_audit.sample.generate import write_sample

    if claims < 1:
        raise UserInputError("申领笔数必须大于 0", "--claims must be at least 1")
    if fmt not in ("xlsx", "csv", "parquet"):
        raise UserInputError(f"不支持的格式：{fmt}", f"unsupported --format {fmt}")
    out.mkdir(parents=True, exist_ok=True)
    with progress_steps("zh") as step:
        step("sample")
        planted = write_sample(
            out,
            claims,
            seed=seed,
            fmt=fmt,
            with_attendance=attendance,
            title_rows=max(1, title_rows),
            serial_column=serial_column,
            attendance_sheets=attendance_sheets,
            all_references=all_references,
        )
    table = Table(title=f"埋设的问题 / planted problems（{claims:,} 笔申领 → {out}）")
    table.add_column("规则 / rule")
    table.add_column("名称 / name")
    table.add_column("笔数 / claims", justify="right")
    table.add_column("来源行 / source rows")
    for code in sorted(planted):
        rows = planted[code]
        name = REGISTRY[code].name_zh if code in REGISTRY else ""
        table.add_row(code, name, f"{len(rows):,}", "、".join(str(r) for r in rows))
    console = Console(highlight=False)
    console.print(table)
    console.print(
        f"wudi-audit: 已写入 {claims:,} 笔申领到 {out} / wrote {claims:,} claims to {out}",
        soft_wrap=True,
    )
