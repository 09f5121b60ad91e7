"""The program: every command registered on one Typer app, and `main`, which turns a
user's problem into exit 2 with a message (Chinese first) and never a traceback."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from wudi_audit import __version__
from wudi_audit.cli import check, inspect, rules, sample
from wudi_audit.cli.catalog import catalog_app
from wudi_audit.cli.help import Command, Group
from wudi_audit.cli.ledger import ledger_app
from wudi_audit.errors import UserInputError

app = typer.Typer(
    cls=Group,
    add_completion=True,
    no_args_is_help=True,
    help="吴地工匠项目制培训补贴申领审核 / audit training-subsidy claim batches.",
)
app.command("check", cls=Command)(check.check)
app.command("rules", cls=Command)(rules.list_rules)
app.command("explain", cls=Command)(rules.explain)
app.command("inspect", cls=Command)(inspect.inspect)
app.command("schema", cls=Command)(rules.schema)
app.command("sample", cls=Command)(sample.sample)
app.add_typer(catalog_app, name="catalog")
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
