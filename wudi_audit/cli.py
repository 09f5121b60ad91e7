"""Command line: thin. Options in, the engine run, a summary out, exit code 0/1/2."""

from __future__ import annotations

import datetime as dt
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.console import Group as Renderables
from rich.table import Table

from wudi_audit import __version__
from wudi_audit.cli_help import Command, Group
from wudi_audit.cli_options import (
    AttendanceOption,
    BatchIdOption,
    BudgetOption,
    CatalogOption,
    ExcludedOption,
    LedgerOption,
    ProvidersOption,
    RefDirOption,
    RulesOption,
    StandardsOption,
    UrbanRuralOption,
    list_options,
    references_from,
)
from wudi_audit.cli_progress import progress_steps
from wudi_audit.errors import UserInputError

app = typer.Typer(
    cls=Group,
    add_completion=True,
    no_args_is_help=True,
    help="吴地工匠项目制培训补贴申领审核 / audit training-subsidy claim batches.",
)


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class FailOn(StrEnum):
    reject = "reject"
    review = "review"
    never = "never"


@app.command(cls=Command)
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
    from wudi_audit.batches.commit import commit_outputs
    from wudi_audit.batches.dispatch import CheckArgs, resolve_check

    plan = resolve_check(
        CheckArgs(
            claims, attendance or [], ref_dir, ledger, rules, output, json_out, out_dir, config,
            mask_ids, None if lang is None else lang.value,
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
    from wudi_audit.pipeline import BatchRequest, run_batch
    from wudi_audit.report.json_doc import to_json
    from wudi_audit.report.outputs import (
        AtomicOutputs,
        validate_output_path,
        write_bytes_output,
    )
    from wudi_audit.report.tables import build_report
    from wudi_audit.report.workbook import write_workbook
    from wudi_audit.rulepack import load_rule_packs
    from wudi_audit.timings import lap, summary

    started = time.perf_counter()
    started_at = dt.datetime.now().isoformat(timespec="seconds")
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
    )
    validate_output_path(workbook_path, request.inputs, "异常工作簿", "workbook")
    validate_output_path(json_out, request.inputs, "JSON 输出", "JSON output")
    packs = load_rule_packs(rules)
    pack = packs[-1]  # the latest: input limits, attendance minutes, the report's parameters
    with progress_steps(lang.value) as step:
        run = run_batch(request, packs, step)
        result = run.result
        review_sample = None
        if sample is not None:
            from wudi_audit.sampling import draw_sample, seed_from_hash

            chosen_seed = seed if seed is not None else seed_from_hash(run.content_hash)
            review_sample = draw_sample(result.claims, sample, chosen_seed)
        report = build_report(
            result,
            pack,
            run.loaded.sources,
            lang=lang.value,
            mask_ids=mask_ids,
            started=started_at,
            duration_s=time.perf_counter() - started,
            ledger=run.ledger_manifest,
            sample=review_sample,
        )
        report.manifest["settings_file"] = plan.settings_file
        lap("report")
        step("write")
        outputs = AtomicOutputs()
        try:
            if str(workbook_path) == "-":
                import tempfile

                with tempfile.TemporaryDirectory() as scratch:
                    temp = Path(scratch) / "out.xlsx"
                    write_workbook(report, temp)
                    write_bytes_output(workbook_path, temp.read_bytes(), outputs)
            else:
                write_workbook(report, outputs.temporary_for(workbook_path))
            if json_out is not None:
                write_bytes_output(json_out, to_json(report).encode("utf-8"), outputs)
            commit_outputs(outputs)
            lap("write")
        except BaseException:
            outputs.discard()
            raise
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


@app.command("rules", cls=Command)
def list_rules(
    markdown: Annotated[bool, typer.Option("--markdown", help="输出规则文档 / rule docs")] = False,
) -> None:
    """列出全部规则 / list every rule."""
    from wudi_audit.checks import REGISTRY

    if markdown:
        from wudi_audit.docs import rules_markdown

        typer.echo(rules_markdown(), nl=False)
        return
    for code in sorted(REGISTRY):
        r = REGISTRY[code]
        typer.echo(f"{code}\t{r.severity.value}\t{r.name_zh} / {r.name_en}")


@app.command(cls=Command)
def explain(
    code: Annotated[str, typer.Argument(help="规则代码，如 T202 / rule code, e.g. T202")],
    rules: Annotated[
        Path | None, typer.Option(help="规则包 TOML（参数取值）/ rule pack for the values")
    ] = None,
) -> None:
    """说明一条规则：条款、检查内容、参数、示例、处理建议 / explain one rule."""
    from wudi_audit.checks import REGISTRY
    from wudi_audit.docs import explain_text
    from wudi_audit.rulepack import load_rule_pack

    rule = REGISTRY.get(code.strip().upper())
    if rule is None:
        raise UserInputError(
            f"没有规则 {code}；可用：{'、'.join(sorted(REGISTRY))}",
            f"no rule {code}; known: {', '.join(sorted(REGISTRY))}",
        )
    typer.echo(explain_text(rule, load_rule_pack(rules)))


@app.command(cls=Command)
def schema(
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown")] = False,
) -> None:
    """列出每张表可识别的表头 / the accepted headers of every table."""
    from wudi_audit.docs import schema_markdown
    from wudi_audit.schema import TABLES

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


@app.command(cls=Command)
def sample(
    out: Annotated[Path, typer.Option(help="输出文件夹 / output folder")] = Path("sample_data"),
    claims: Annotated[int, typer.Option("--claims", help="申领笔数 / number of claims")] = 200,
    seed: Annotated[int, typer.Option(help="随机种子 / random seed")] = 20260301,
    fmt: Annotated[str, typer.Option("--format", help="xlsx、csv 或 parquet")] = "xlsx",
    title_rows: Annotated[int, typer.Option(help="表头上方的标题行数 / title rows")] = 1,
    serial_column: Annotated[
        bool, typer.Option("--serial-column", help="首列加“序号”（23 列）/ a leading 序号")
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
    from wudi_audit.sample import write_sample

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


catalog_app = typer.Typer(
    cls=Group, no_args_is_help=True, help="项目目录清单检查 / checks of the catalogue itself."
)
app.add_typer(catalog_app, name="catalog")


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

    from wudi_audit.catalog import check_catalog, to_document, write_catalog_workbook
    from wudi_audit.report.outputs import AtomicOutputs, validate_output_path, write_bytes_output
    from wudi_audit.rulepack import load_rule_pack

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


from wudi_audit.cli_ledger import ledger_app  # noqa: E402  (registers the sub-commands)

app.add_typer(ledger_app, name="ledger")


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"wudi-audit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True)
    ] = False,
) -> None:
    """吴地工匠项目制培训补贴申领审核 / audit training-subsidy claim batches."""


def main() -> None:
    try:
        code = app(standalone_mode=False, prog_name="wudi-audit")
        sys.exit(code if isinstance(code, int) else 0)
    except UserInputError as exc:
        print(exc.render(), file=sys.stderr)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("已中止 / aborted", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:
        # usage errors (unknown option, bad choice, missing argument) come from the click
        # layer inside typer; they carry `show()` and an exit code
        if callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code"):
            print("错误：命令行参数有误，用法见 wudi-audit --help", file=sys.stderr)
            exc.show()
            sys.exit(2)
        raise
