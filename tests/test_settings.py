"""The settings file of a shared drive, Windows desktops (a workbook open in Excel),
`--version` and shell completion."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.test_cli import run
from tests.test_ledger import batch, claim
from tests.test_reader import write_csv
from wudi_audit import __version__
from wudi_audit.batches.settings import find_settings_file, parse_settings
from wudi_audit.batches.state import StateFile
from wudi_audit.cli.app import main as cli_main
from wudi_audit.errors import UserInputError


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """`审核 盘/wudi-audit.toml` (relative paths), a batch, a reference folder."""
    root = tmp_path_factory.mktemp("s") / "审核 盘"
    (root / "名单").mkdir(parents=True)
    (root / "desk" / "sub").mkdir(parents=True)
    batch(root / "desk" / "第3批 申领.csv", [claim(1), claim(2)])
    write_csv(root / "名单" / "excluded.csv", [["公民身份号码"], [claim(2)[0]]])
    (root / "wudi-audit.toml").write_text(
        'ref_dir = "名单"\nledger = "台账"\nout-dir = "结果 文件夹"\nmask_ids = true\n'
        'lang = "en"\n',
        encoding="utf-8",
    )
    return root


def document(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def defaults(shared):
    proc = run("check", "../第3批 申领.csv", cwd=shared / "desk" / "sub")
    return proc, document(shared / "结果 文件夹" / "第3批 申领.exceptions.json")


def test_settings_file_in_a_parent_gives_the_defaults(shared, defaults):
    proc, doc = defaults
    assert proc.returncode == 1, proc.stderr
    manifest = doc["manifest"]
    assert manifest["settings_file"] == str((shared / "wudi-audit.toml").resolve())
    assert manifest["language"] == "en" and manifest["ids_masked"] is True
    assert Path(manifest["ledger"]["folder"]) == (shared / "台账").resolve()
    assert "P104" in {e["code"] for e in doc["exceptions"]}  # the list from 名单/
    assert all("*" in e["id_number"] for e in doc["exceptions"])
    index = document(shared / "结果 文件夹" / "index.json")
    assert index["manifest"]["settings_file"] == manifest["settings_file"]


def test_options_win_over_the_settings_file(shared, defaults):
    out = shared / "desk" / "mine"
    out.mkdir()
    proc = run(
        "check", "第3批 申领.csv", "--lang", "zh", "--no-mask-ids", "--out-dir", str(out),
        "--ref-dir", str(shared / "desk" / "sub"), cwd=shared / "desk",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # no excluded list in sub/: nothing flagged
    manifest = document(out / "第3批 申领.exceptions.json")["manifest"]
    assert manifest["language"] == "zh" and manifest["ids_masked"] is False
    assert not [i for i in manifest["inputs"] if i["role"] == "excluded"]


def test_single_file_with_o_keeps_the_classic_outputs(shared, defaults, tmp_path):
    proc = run(
        "check", "第3批 申领.csv", "-o", str(tmp_path / "r.xlsx"), "--json",
        str(tmp_path / "r.json"), cwd=shared / "desk",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert document(tmp_path / "r.json")["manifest"]["language"] == "en"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.xlsx"]


def test_config_option_names_the_file(shared, tmp_path):
    config = tmp_path / "夜间 设置.toml"
    config.write_text(f'out_dir = "{(tmp_path / "o").as_posix()}"\n', encoding="utf-8")
    (tmp_path / "o").mkdir()
    proc = run("check", str(shared / "desk" / "第3批 申领.csv"), "--config", str(config),
               "--ledger", str(tmp_path / "l"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    manifest = document(tmp_path / "o" / "第3批 申领.exceptions.json")["manifest"]
    assert manifest["settings_file"] == str(config.resolve()) and manifest["language"] == "zh"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('ref_dir = "x"\nout_folder = "y"\n', "out_folder"),
        ('lang = "fr"\n', "lang"),
        ("mask_ids = 1\n", "mask_ids"),
        ("rules = []\n", "rules"),
        ("ledger = 3\n", "ledger"),
        ("lang = zh\n", "TOML"),
    ],
)
def test_unknown_key_or_bad_value_is_exit_2_naming_it(tmp_path, text, named):
    (tmp_path / "wudi-audit.toml").write_text(text, encoding="utf-8")
    claims = batch(tmp_path / "b.csv", [claim(1)])
    proc = run("check", "b.csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert named in proc.stderr and proc.stderr.startswith("错误：设置文件")
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv", "wudi-audit.toml"]
    assert claims.exists()


def test_settings_parsed(tmp_path):
    path = tmp_path / "wudi-audit.toml"
    path.write_text('rules = "r/a.toml"\nout_dir = "/abs/out"\nmask-ids = false\n', "utf-8")
    settings = parse_settings(path)
    assert settings.rules == [tmp_path.resolve() / "r" / "a.toml"]
    assert settings.out_dir == Path("/abs/out") and settings.mask_ids is False
    assert settings.lang is None and settings.ref_dir is None
    assert find_settings_file(tmp_path) == path.resolve()
    path.write_text('ledger = "a"\n"ledger" = "b"\n', "utf-8")
    with pytest.raises(UserInputError):
        parse_settings(path)


def failing_replace(real):
    """os.replace as Windows does it when Excel holds the target open."""

    def replace(source, target, *args, **kwargs):
        if str(target).endswith(".xlsx"):
            raise PermissionError(13, "另一个程序正在使用此文件", str(source), None, str(target))
        return real(source, target, *args, **kwargs)

    return replace


def call_cli(monkeypatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["wudi-audit", *args])
    with pytest.raises(SystemExit) as stop:
        cli_main()
    return stop.value.code


def test_workbook_open_in_excel_is_exit_2_and_leaves_no_temporary_file(
    tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "桌面 文件"
    folder.mkdir()
    claims = batch(folder / "第3批.csv", [claim(1)])
    (folder / "第3批.exceptions.xlsx").write_bytes(b"open in Excel")
    monkeypatch.setattr(os, "replace", failing_replace(os.replace))
    code = call_cli(monkeypatch, "check", str(claims), "--ledger", str(tmp_path / "l"),
                    "--json", str(folder / "r.json"))  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "文件被占用，请关闭后重试" in err and "the file is open in another program" in err
    assert "第3批.exceptions.xlsx" in err and "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == ["第3批.csv", "第3批.exceptions.xlsx"]
    assert (folder / "第3批.exceptions.xlsx").read_bytes() == b"open in Excel"


def test_folder_run_with_a_workbook_open_goes_on_and_tries_it_again(tmp_path, monkeypatch, capsys):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for n in (1, 2):
        batch(folder / f"b{n}.csv", [claim(n)])
    real = os.replace
    monkeypatch.setattr(os, "replace", failing_replace(real))
    args = ("check", str(folder), "--out-dir", str(out), "--ledger", str(tmp_path / "l"))
    assert call_cli(monkeypatch, *args) == 2
    captured = capsys.readouterr()
    assert captured.err.count("文件被占用") == 3  # two batches, then the index
    assert StateFile(out).read() == {}  # nothing recorded: run again once closed
    assert not [p for p in out.iterdir() if p.suffix == ".tmp"]
    monkeypatch.setattr(os, "replace", real)
    assert call_cli(monkeypatch, *args) == 0
    assert "审核 2，跳过 0" in capsys.readouterr().out


def test_version_and_completion():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"wudi-audit {__version__}"
    proc = run("--help")
    assert proc.returncode == 0 and "--install-completion" in proc.stdout
    env = {**os.environ, "_WUDI_AUDIT_COMPLETE": "complete_bash", "COMP_WORDS": "wudi-audit ch",
           "COMP_CWORD": "1"}  # fmt: skip
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "wudi_audit"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout.split() == ["check"]


def test_single_batch_log_json_and_quiet(tmp_path):
    claims = batch(tmp_path / "b.csv", [claim(1)])
    common = ("check", str(claims), "--ledger", str(tmp_path / "l"))
    proc = run(*common, "--log-json")
    [record] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["event"] == "batch" and record["claims"] == 1 and record["exit_code"] == 0
    proc = run(*common, "--quiet")
    assert proc.returncode == 0 and proc.stdout == proc.stderr == ""
