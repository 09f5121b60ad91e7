"""`wudi-audit check`: one batch (outputs beside it or at `-o`/`--json`), or a folder of
batches into `--out-dir`; a summary on the terminal, a plain line under a pipe or cron."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.console import Group as Renderables
from rich.table import Table

from wudi_audit.cli.options import (
    AttendanceOption,
    BatchIdOption,
    BudgetOption,
    CatalogOption,
    ColumnOption,
    ExcludedOption,
    FailOn,
    Lang,
    LedgerOption,
    ProvidersOption,
    RefDirOption,
    RulesOption,
    StandardsOption,
    UrbanRuralOption,
)
from wudi_audit.cli.progress import progress_steps
from wudi_audit.read.files import list_options, references_from


def check(
    claims: Annotated[
        list[Path], typer.Argument(help="申领明细 claims file (xlsx/xls/csv/parquet)")
    ],
    attendance: AttendanceOption = None,
    ref_dir: RefDirOption = None,
    excluded: ExcludedOption = None,
    catalog: CatalogOption = None,
    providers: ProvidersOption = None,
    standards: StandardsOption = None,
    budget: BudgetOption = None,
    urban_rural: UrbanRuralOption = None,
    ledger: LedgerOption = None,
    batch_id: BatchIdOption = None,
    rules: RulesOption = None,
    column: ColumnOption = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="异常工作簿 / workbook")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="JSON 输出（- 为标准输出）")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="工作表名 / sheet name")] = None,
    mask_ids: Annotated[
        bool | None, typer.Option("--mask-ids/--no-mask-ids", help="遮蔽身份证号和姓名")
    ] = None,
    lang: Annotated[Lang | None, typer.Option(help="输出语言 / output language")] = None,
    fail_on: Annotated[
        FailOn, typer.Option(help="退出码 1 的门槛 / exit 1 threshold")
    ] = FailOn.reject,
    sample: Annotated[
        int | None,
        typer.Option(
            "--sample", min=1, help="抽查样本笔数（通过的申领，按金额概率比例）/ review sample size"
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(min=0, help="抽样随机种子（默认由申领文件哈希导出）/ sampling seed"),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="批量审核的输出文件夹 / output folder for several batches"),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="设置文件（默认就近的 wudi-audit.toml）/ settings file"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="重新审核已审核的批次 / re-check audited batches")
    ] = False,
    log_json: Annotated[
        bool, typer.Option("--log-json", help="每批次一行 JSON 日志 / JSON log lines")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="只输出错误 / print only errors")
    ] = False,
    timings: Annotated[
        bool, typer.Option("--timings", help="各阶段耗时输出到标准错误 / phase times to stderr")
    ] = False,
) -> None:
    """审核一个申领批次 / check one claim batch."""
    from wudi_audit.batches.dispatch import CheckArgs, resolve_check

    plan = resolve_check(
        CheckArgs(
            claims, attendance or [], ref_dir, ledger, rules, output, json_out, out_dir, config,
            mask_ids, None if lang is None else lang.value, column or [],
        )
    )  # fmt: skip
    ref_dir, ledger, rules, mask_ids, lang = (
        plan.ref_dir, plan.ledger, plan.rules, plan.mask_ids, Lang(plan.lang),
    )  # fmt: skip
    if plan.out_dir is not None:
        from wudi_audit.batches.dispatch import run_folder_from_cli

        raise typer.Exit(
            run_folder_from_cli(
                plan, attendance, excluded, catalog, providers, standards, budget, urban_rural,
                batch_id, sheet, fail_on.value, force, log_json, quiet, sample, seed,
            )
        )  # fmt: skip
    claims = plan.claims[0]
    from wudi_audit.pipeline import BatchRequest, ReportOptions, audit_batch
    from wudi_audit.report.outputs import validate_output_path
    from wudi_audit.report.save import write_report
    from wudi_audit.rules.pack import load_rule_packs
    from wudi_audit.timings import lap, summary

    workbook_path = output or claims.with_name(f"{claims.stem}.exceptions.xlsx")
    request = BatchRequest(
        claims,
        attendance or [],
        references_from(
            ref_dir,
            list_options(excluded, catalog, providers, standards, budget, urban_rural),
        ),
        ledger,
        batch_id,
        sheet,
        columns=plan.columns,
    )
    validate_output_path(workbook_path, request.inputs, "异常工作簿", "workbook")
    validate_output_path(json_out, request.inputs, "JSON 输出", "JSON output")
    packs = load_rule_packs(rules)
    options = ReportOptions(lang.value, mask_ids, sample, seed, plan.settings_file)
    with progress_steps(lang.value) as step:
        audited = audit_batch(request, packs, options, step)
        report, result = audited.report, audited.run.result
        step("write")
        write_report(report, workbook_path, json_out)
        lap("write")
    if timings:
        typer.echo(summary(), err=True)
    to_stdout = "-" in (str(workbook_path), str(json_out))
    if log_json or quiet:
        from wudi_audit.batches.dispatch import log_single

        log_single(report, result, claims, workbook_path, json_out, fail_on.value, log_json, quiet)
    else:
        _print_summary(report, workbook_path, json_out, err=to_stdout)
    from wudi_audit.batches.run import THRESHOLDS

    verdicts = set(result.claims["verdict"].unique().to_list())
    raise typer.Exit(1 if verdicts & THRESHOLDS[fail_on.value] else 0)


def _print_summary(report, workbook: Path, json_out: Path | None, err: bool) -> None:
    s = report.summary
    zh = report.lang == "zh"
    console = Console(stderr=err, highlight=False)
    if console.is_terminal:
        console.print(_summary_table(report))
    line = (
        f"申领 {s['claims']:,} 笔：通过 {s['claims_pass']:,}，复核 {s['claims_review']:,}，"
        f"退回 {s['claims_reject']:,}；申领金额 {s['claimed_amount']:,.2f} 元，"
        f"涉及金额 {s['amount_at_stake']:,.2f} 元"
        if zh
        else f"{s['claims']:,} claims: {s['claims_pass']:,} pass, {s['claims_review']:,} "
        f"review, {s['claims_reject']:,} reject; claimed {s['claimed_amount']:,.2f}, "
        f"at stake {s['amount_at_stake']:,.2f} yuan"
    )
    console.print(f"wudi-audit: {line}", soft_wrap=True)
    if s["attendance"] is not None:
        a = s["attendance"]
        console.print(
            f"wudi-audit: 考勤 {a['records']:,} 条，其中无对应申领 {a['without_claim']:,} 条，"
            f"无法认定课时 {a['unreadable']} 条"
            if zh
            else f"wudi-audit: {a['records']} attendance records, {a['without_claim']} match "
            f"no claim, {a['unreadable']} credit nothing",
            soft_wrap=True,
        )
    for warning in s.get("warnings", []):
        console.print(f"wudi-audit: {warning}", soft_wrap=True)
    for r in s["rules_not_run"]:
        console.print(f"wudi-audit: {r['reason']}", soft_wrap=True)
    drawn = report.manifest.get("sample")
    if drawn:
        console.print(
            f"wudi-audit: 抽查样本 {drawn['drawn']} 笔（种子 {drawn['seed']}）/ review sample "
            f"of {drawn['drawn']} (seed {drawn['seed']})",
            soft_wrap=True,
        )
        for note in drawn["notes"]:
            console.print(f"wudi-audit: {note}", soft_wrap=True)
    ledger = report.manifest.get("ledger")
    for note in ledger["notes"] if ledger else []:
        console.print(f"wudi-audit: 台账 / ledger {ledger['folder']}: {note}", soft_wrap=True)
    if str(workbook) != "-":
        console.print(f"wudi-audit: {'已写入' if zh else 'wrote'} {workbook}", soft_wrap=True)
    if json_out is not None and str(json_out) != "-":
        console.print(f"wudi-audit: {'已写入' if zh else 'wrote'} {json_out}", soft_wrap=True)


def _summary_table(report) -> Renderables:
    """The verdicts, then the rules that flagged claims: amounts right-aligned with
    thousands separators, severities in the report's vocabulary (退回 / 复核 in Chinese)."""
    s = report.summary
    zh = report.lang == "zh"
    verdicts = Table(title="审核汇总" if zh else "Audit summary", title_justify="left")
    for header in (
        ["审核结论", "笔数", "申领金额（元）", "涉及金额（元）"]
        if zh
        else ["Verdict", "Claims", "Claimed (yuan)", "At stake (yuan)"]
    ):
        verdicts.add_column(header, justify="left" if header[0] in "审V" else "right")
    for v in s["verdicts"]:
        verdicts.add_row(
            v["label"], f"{v['claims']:,}", f"{v['amount']:,.2f}", f"{v['amount_at_stake']:,.2f}"
        )
    verdicts.add_section()
    verdicts.add_row(
        "合计" if zh else "total",
        f"{s['claims']:,}",
        f"{s['claimed_amount']:,.2f}",
        f"{s['amount_at_stake']:,.2f}",
    )
    rules = Table()
    for header in (
        ["规则", "名称", "严重程度", "笔数", "涉及金额（元）"]
        if zh
        else ["Code", "Rule", "Severity", "Claims", "At stake (yuan)"]
    ):
        right = header in ("笔数", "涉及金额（元）", "Claims", "At stake (yuan)")
        rules.add_column(header, justify="right" if right else "left")
    for r in s["rules"]:
        if r["claims_flagged"]:
            rules.add_row(
                r["code"],
                r["name"],
                r["severity_label"],
                f"{r['claims_flagged']:,}",
                f"{r['amount_at_stake']:,.2f}",
            )
    return Renderables(verdicts, rules) if rules.row_count else Renderables(verdicts)


def _print_summary(report, workbook: Path, json_out: Path | None, err: bool) -> None:
    s = report.summary
    zh = report.lang == "zh"
    console = Console(stderr=err, highlight=False)
    if console.is_terminal:
        console.print(_summary_table(report))
    line = (
        f"申领 {s['claims']:,} 笔：通过 {s['claims_pass']:,}，复核 {s['claims_review']:,}，"
        f"退回 {s['claims_reject']:,}；申领金额 {s['claimed_amount']:,.2f} 元，"
        f"涉及金额 {s['amount_at_stake']:,.2f} 元"
        if zh
        else f"{s['claims']:,} claims: {s['claims_pass']:,} pass, {s['claims_review']:,} "
        f"review, {s['claims_reject']:,} reject; claimed {s['claimed_amount']:,.2f}, "
        f"at stake {s['amount_at_stake']:,.2f} yuan"
    )
    console.print(f"wudi-audit: {line}", soft_wrap=True)
    if s["attendance"] is not None:
        a = s["attendance"]
        console.print(
            f"wudi-audit: 考勤 {a['records']:,} 条，其中无对应申领 {a['without_claim']:,} 条，"
            f"无法认定课时 {a['unreadable']} 条"
            if zh
            else f"wudi-audit: {a['records']} attendance records, {a['without_claim']} match "
            f"no claim, {a['unreadable']} credit nothing",
            soft_wrap=True,
        )
    for warning in s.get("warnings", []):
        console.print(f"wudi-audit: {warning}", soft_wrap=True)
    for r in s["rules_not_run"]:
        console.print(f"wudi-audit: {r['reason']}", soft_wrap=True)
    drawn = report.manifest.get("sample")
    if drawn:
        console.print(
            f"wudi-audit: 抽查样本 {drawn['drawn']} 笔（种子 {drawn['seed']}）/ review sample "
            f"of {drawn['drawn']} (seed {drawn['seed']})",
            soft_wrap=True,
        )
        for note in drawn["notes"]:
            console.print(f"wudi-audit: {note}", soft_wrap=True)
    ledger = report.manifest.get("ledger")
    for note in ledger["notes"] if ledger else []:
        console.print(f"wudi-audit: 台账 / ledger {ledger['folder']}: {note}", soft_wrap=True)
    if str(workbook) != "-":
        console.print(f"wudi-audit: {'已写入' if zh else 'wrote'} {workbook}", soft_wrap=True)
    if json_out is not None and str(json_out) != "-":
        console.print(f"wudi-audit: {'已写入' if zh else 'wrote'} {json_out}", soft_wrap=True)


def _summary_table(report) -> Renderables:
    """The verdicts, then the rules that flagged claims: amounts right-aligned with
    thousands separators, severities in the report's vocabulary (退回 / 复核 in Chinese)."""
    s = report.summary
    zh = report.lang == "zh"
    verdicts = Table(title="审核汇总" if zh else "Audit summary", title_justify="left")
    for header in (
        ["审核结论", "笔数", "申领金额（元）", "涉及金额（元）"]
        if zh
        else ["Verdict", "Claims", "Claimed (yuan)", "At stake (yuan)"]
    ):
        verdicts.add_column(header, justify="left" if header[0] in "审V" else "right")
    for v in s["verdicts"]:
        verdicts.add_row(
            v["label"], f"{v['claims']:,}", f"{v['amount']:,.2f}", f"{v['amount_at_stake']:,.2f}"
        )
    verdicts.add_section()
    verdicts.add_row(
        "合计" if zh else "total",
        f"{s['claims']:,}",
        f"{s['claimed_amount']:,.2f}",
        f"{s['amount_at_stake']:,.2f}",
    )
    rules = Table()
    for header in (
        ["规则", "名称", "严重程度", "笔数", "涉及金额（元）"]
        if zh
        else ["Code", "Rule", "Severity", "Claims", "At stake (yuan)"]
    ):
        right = header in ("笔数", "涉及金额（元）", "Claims", "At stake (yuan)")
        rules.add_column(header, justify="right" if right else "left")
    for r in s["rules"]:
        if r["claims_flagged"]:
            rules.add_row(
                r["code"],
                r["name"],
                r["severity_label"],
                f"{r['claims_flagged']:,}",
                f"{r['amount_at_stake']:,.2f}",
            )
    return Renderables(verdicts, rules) if rules.row_count else Renderables(verdicts)
