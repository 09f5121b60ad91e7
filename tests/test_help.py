"""The commands explain themselves: `--help` with readable placeholders, examples and exit
codes in both languages; `explain` for every registered code; `schema` and its docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.test_cli import run
from wudi_audit.checks import REGISTRY
from wudi_audit.checks.explanations import EXPLANATIONS
from wudi_audit.schema.tables import TABLES

COMMANDS = [
    [],
    ["check"],
    ["rules"],
    ["explain"],
    ["inspect"],
    ["schema"],
    ["sample"],
    ["catalog"],
    ["catalog", "check"],
    ["ledger"],
    ["ledger", "add"],
    ["ledger", "list"],
    ["ledger", "remove"],
]
CODE = re.compile(r"\b[DPTSO][1-4]\d{2}\b")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_help_has_examples_exit_codes_and_readable_placeholders(command):
    proc = run(*command, "--help", env={"COLUMNS": "160"})
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "示例 / examples:" in text and "wudi-audit" in text
    assert "退出码 / exit codes:" in text and "0 " in text and "2 " in text
    for typer_name in ("<bool>", "<path>", "<list[", "<str>", "<int>", "{"):
        assert typer_name not in text, (typer_name, text)
    # every option's help says it in both languages
    for line in text.splitlines():
        if line.lstrip("│ ").startswith("--"):
            assert "/" in line, line


def test_check_help_names_its_exit_codes():
    text = run("check", "--help", env={"COLUMNS": "160"}).stdout
    assert "1 有 / claims flagged" in text
    assert "check [OPTIONS] CLAIMS" in text


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_explain_every_code_in_both_languages(code):
    proc = run("explain", code.lower())
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    rule = REGISTRY[code]
    what_zh, advice_zh, advice_en = EXPLANATIONS[code]
    assert text.index(f"检查内容：{what_zh}") < text.index("What is checked:")
    assert rule.clause in text and advice_zh in text and advice_en in text
    assert re.search(r"[\u4e00-\u9fff]", what_zh) and rule.doc_en
    for param in rule.params:
        assert re.search(rf"{param} = \S", text), param


def test_explain_shows_the_parameters_of_the_pack_in_use(tmp_path):
    default = (Path("wudi_audit/rules/default.toml")).read_text(encoding="utf-8")
    changed = re.sub(r"max_online_share\s*=\s*[0-9.]+", "max_online_share = 0.3", default)
    assert changed != default
    pack = tmp_path / "p.toml"
    pack.write_text(changed, encoding="utf-8")
    assert "max_online_share = 0.3" in run("explain", "T202", "--rules", str(pack)).stdout


def test_no_dangling_rule_references():
    """A code named in a rule's description, explanation or example is registered."""
    assert set(EXPLANATIONS) == set(REGISTRY)
    for code, rule in REGISTRY.items():
        texts = [rule.doc_en, rule.example_zh, rule.example_en, *EXPLANATIONS[code]]
        for text in texts:
            for named in CODE.findall(text):
                assert named in REGISTRY, (code, named)


def test_schema_is_an_aligned_table_and_its_docs_do_not_drift():
    proc = run("schema", env={"COLUMNS": "200"})
    assert proc.returncode == 0
    rows = [line for line in proc.stdout.splitlines() if "id_number" in line]
    assert rows and all("│" in r for r in rows) and "\t" not in proc.stdout
    widths = {cell_len(r) for r in proc.stdout.splitlines() if r.startswith("│")}
    assert len(widths) <= len(TABLES)  # aligned: one width per table at most
    generated = run("schema", "--markdown").stdout
    assert Path("docs/inputs.md").read_text(encoding="utf-8") == generated
    assert "| `id_number` | 公民身份号码 | 必填 yes |" in generated


def test_progress_only_on_a_terminal(tmp_path):
    from tests.test_reader import HEADERS, ROW, write_csv

    claims = write_csv(tmp_path / "c.csv", [HEADERS, ROW])
    piped = run("check", str(claims), "-o", str(tmp_path / "a.xlsx"))
    assert piped.returncode == 0, piped.stderr
    assert "读取输入文件" not in piped.stderr and "\x1b" not in piped.stderr + piped.stdout
    terminal = run(
        "check", str(claims), "-o", str(tmp_path / "b.xlsx"), env={"TTY_COMPATIBLE": "1"}
    )
    assert "读取输入文件" in terminal.stderr and "逐条规则审核" in terminal.stderr


def _option_helps(command: list[str]) -> list[str]:
    """Every option's and argument's help text of a command, as Click holds it."""
    import typer.main

    from wudi_audit.cli.app import app
    from wudi_audit.cli.help import readable

    group = typer.main.get_command(app)
    ctx = group.make_context("wudi-audit", [*command, "--help"], resilient_parsing=True)
    node = group
    for name in command:
        node = node.get_command(ctx, name)
    readable(node)  # the bilingual texts the help shows
    return [p.help for p in node.params if getattr(p, "help", None)]


BOX = re.compile(r"[\s│╭╮╰╯─]")


@pytest.mark.parametrize("columns", [None, "50"], ids=["pipe-80", "narrow-50"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_help_under_a_pipe_prints_every_description_whole(command, columns):
    # issue 18: `wudi-audit check --help | cat` cut "考勤记录文件或文件…"; the output here is
    # a pipe (no terminal: rich takes 80 columns), or a narrow window of 50
    proc = run(*command, "--help", env={"COLUMNS": columns} if columns else {"COLUMNS": ""})
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    flat = BOX.sub("", proc.stdout)
    helps = _option_helps(command)
    assert helps or command in ([], ["catalog"], ["ledger"])
    for text in helps:
        # in order, allowing a wrapped neighbouring column's text between the lines
        whole = ".{0,40}?".join(re.escape(c) for c in BOX.sub("", text))
        assert re.search(whole, flat), text
