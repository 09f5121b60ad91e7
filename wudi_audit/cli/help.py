"""`--help` for every command, in one place: readable placeholders (FILE, DIR, N) instead
of Typer's type names (`<path>`, `<list[Path]>`, `<bool>`), help texts in Chinese and
English, and each command's examples and exit codes below its options.

Commands use `Command` and groups use `Group`; the placeholders are chosen from the
parameter's name, so the command signatures stay as they are."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

# parameter name → placeholder
PLACEHOLDERS = {
    "claims": "CLAIMS",
    "attendance": "FILE|DIR",
    "ref_dir": "DIR",
    "ledger": "DIR",
    "out": "DIR",
    "output": "OUT.xlsx",
    "json_out": "OUT.json|-",
    "rules": "PACK.toml",
    "batch_id": "ID",
    "batch": "ID",
    "sheet": "NAME",
    "code": "CODE",
    "catalog": "FILE",
    "urban_rural": "FILE",
    "seed": "N",
    "fmt": "xlsx|csv",
    "file": "FILE",
    "decisions": "REVIEWED.xlsx",
    "column": "FIELD=HEADER",
}
# help texts that say it in both languages (the signatures' own are kept otherwise)
HELP = {
    "json_out": "JSON 输出，- 为标准输出 / JSON output, - for standard output",
    "mask_ids": "遮蔽身份证号（保留前6后4位）和姓名（保留姓）/ mask identity numbers and names",
    "fmt": "示例文件格式 / file format",
    "markdown": "输出 Markdown 文档 / print Markdown",
    "version": "显示版本并退出 / show the version and exit",
    "install_completion": "为当前 shell 安装命令补全 / install completion for the current shell",
    "show_completion": "显示当前 shell 的补全脚本 / show completion for the current shell",
}
HELP_OPTION = "显示本帮助并退出 / show this help and exit"

EXIT_CODES = (
    "退出码 / exit codes: 0 无达到 --fail-on 的问题 / nothing at or above --fail-on; "
    "1 有 / claims flagged at or above it; 2 命令或输入无法使用 / bad invocation or input "
    "(nothing written)"
)
EXIT_SIMPLE = "退出码 / exit codes: 0 成功 / done; 2 命令或输入无法使用 / bad invocation or input"
# command path → (examples, exit codes)
EPILOGS: dict[str, tuple[tuple[str, ...], str]] = {
    "": (
        (
            "wudi-audit check 2026第3批.xlsx --attendance 考勤/ --ref-dir 名单/",
            "wudi-audit explain T202",
            "wudi-audit COMMAND --help",
        ),
        EXIT_CODES,
    ),
    "inspect": (
        (
            "wudi-audit inspect 2026第3批.xlsx",
            "wudi-audit inspect 2026第3批.xlsx --column amount=本次申请补贴",
            "wudi-audit inspect 名单/catalog.xlsx --table catalog --json",
        ),
        "退出码 / exit codes: 0 必需字段齐全 / every required field found; 2 缺少必需字段或文件"
        "无法读取 / a required field is missing or the file cannot be read",
    ),
    "catalog": (("wudi-audit catalog check 目录.xlsx --urban-rural 城乡项目.xlsx",), EXIT_SIMPLE),
    "ledger": (("wudi-audit ledger add 2026第3批.xlsx", "wudi-audit ledger list"), EXIT_SIMPLE),
    "check": (
        (
            "wudi-audit check 2026第3批.xlsx",
            "wudi-audit check 2026第3批.xlsx -a 考勤/ --ref-dir 名单/ -o 结果.xlsx --json r.json",
            "wudi-audit check claims.csv --mask-ids --lang en --fail-on review",
        ),
        EXIT_CODES,
    ),
    "rules": (("wudi-audit rules", "wudi-audit rules --markdown > docs/rules.md"), EXIT_SIMPLE),
    "explain": (
        ("wudi-audit explain T202", "wudi-audit explain s306 --rules rules/2026.toml"),
        "退出码 / exit codes: 0 成功 / done; 2 没有该规则 / no such rule",
    ),
    "schema": (("wudi-audit schema", "wudi-audit schema --markdown > docs/inputs.md"), EXIT_SIMPLE),
    "sample": (
        (
            "wudi-audit sample --out demo/",
            "wudi-audit sample --claims 100000 --out big/ --seed 7",
            "wudi-audit sample --claims 500 --format csv --out csv/",
        ),
        EXIT_SIMPLE,
    ),
    "catalog check": (
        ("wudi-audit catalog check 目录.xlsx --urban-rural 城乡项目.xlsx -o 重合.xlsx",),
        "退出码 / exit codes: 0 无重合 / no overlap; 1 有重合 / overlaps found; "
        "2 命令或输入无法使用 / bad invocation or input",
    ),
    "ledger add": (
        (
            "wudi-audit ledger add 2026第3批.xlsx -a 考勤/ --ref-dir 名单/",
            "wudi-audit ledger add 2026第3批.xlsx --include-review --ledger //共享盘/台账",
        ),
        "退出码 / exit codes: 0 已记入或无变化 / recorded or unchanged; 2 命令、输入或台账"
        "无法使用（含同编号不同内容未加 --replace）/ bad invocation, input or ledger",
    ),
    "ledger list": (("wudi-audit ledger list", "wudi-audit ledger list --json"), EXIT_SIMPLE),
    "ledger remove": (("wudi-audit ledger remove 2026第3批",), EXIT_SIMPLE),
}


def _epilog(path: str) -> str | None:
    if path not in EPILOGS:
        return None
    examples, exit_codes = EPILOGS[path]
    listed = "\n".join(f"  {e}" for e in examples)
    return f"示例 / examples:\n\n{listed}\n\n{exit_codes}"


def _path(ctx: Any) -> str:
    """`ledger add` for `wudi-audit ledger add` (however the program was started)."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(reversed(names))


def readable(command: Any) -> None:
    for param in command.params:
        is_option = param.param_type_name == "option"
        if is_option and getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.param_type_name == "argument":
            param.metavar = PLACEHOLDERS.get(param.name, param.name.upper())
            param.display_type_rich = lambda ctx: None  # the placeholder says it all
        elif param.name in PLACEHOLDERS:
            param.metavar = PLACEHOLDERS[param.name]
        elif param.metavar is None:
            kind = param.type_descriptor
            if kind.is_choice:
                continue  # `<zh|en>`: the choices are the placeholder
            param.metavar = "FILE" if kind.is_path else "N" if kind.annotation is int else "TEXT"
    for param in command.params:
        if param.name in HELP and param.param_type_name == "option":
            param.help = HELP[param.name]


def _help_option(option: Any) -> Any:
    if option is not None:
        option.metavar = ""
        option.help = HELP_OPTION
    return option


_make_rich_text = rich_utils._make_rich_text


def _folded_text(**kwargs: Any) -> Any:
    """Typer's help texts, folded when too long for their column instead of cut with "…":
    a Chinese description has no spaces to wrap at, so at 80 columns (a pipe, cron, a
    narrow window) rich would otherwise cut it ("考勤记录文件或文件…")."""
    made = _make_rich_text(**kwargs)
    if isinstance(made, Text):
        made.overflow = "fold"
    return made


def _folding(highlight: Any) -> Any:
    """The same for option names and types (`--install-completion` in a narrow window)."""

    def folded(text: Any) -> Any:
        made = highlight(text)
        if isinstance(made, Text):
            made.overflow = "fold"
        return made

    return folded


_parameter_help = rich_utils._get_parameter_help


def _folded_parameter_help(**kwargs: Any) -> Any:
    """And the `[default: …]` and `[env var: …]` pieces beside an option's help."""
    made = _parameter_help(**kwargs)
    for piece in getattr(made, "renderables", ()):
        if isinstance(piece, Text):
            piece.overflow = "fold"
    return made


rich_utils._make_rich_text = _folded_text
rich_utils._get_parameter_help = _folded_parameter_help
for _name in ("highlighter", "negative_highlighter", "types_highlighter"):
    setattr(rich_utils, _name, _folding(getattr(rich_utils, _name)))


class Command(TyperCommand):
    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """`CLAIMS`, not Typer's `{CLAIMS}`, for a required argument."""
        readable(self)
        pieces = super().collect_usage_pieces(ctx)
        return [re.sub(r"^\{(.*)\}(\.\.\.)?$", r"\1\2", p) for p in pieces]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        readable(self)
        if self.epilog is None:
            self.epilog = _epilog(_path(ctx))
        super().format_help(ctx, formatter)


class Group(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        readable(self)
        if self.epilog is None:
            self.epilog = _epilog(_path(ctx))
        super().format_help(ctx, formatter)
