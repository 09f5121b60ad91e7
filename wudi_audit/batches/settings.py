"""The settings file of a shared drive: `wudi-audit.toml` in the working folder or a parent
(or `--config FILE`) gives defaults for `check`; options on the command line win.

    ref_dir = "名单"            # --ref-dir
    ledger = "//nas/审核/台账"   # --ledger
    rules = ["rules/2026.toml"] # --rules, one path or a list
    out_dir = "审核结果"         # --out-dir
    mask_ids = true             # --mask-ids
    lang = "zh"                 # --lang

    [columns.claims]            # --column: the header of a field, in your own words
    amount = "本次申请补贴"

Relative paths are relative to the folder holding the file, so one file serves every
desktop that mounts the drive, whatever its working folder. Keys may be spelt with `_` or
`-`. An unknown key or a bad value stops the run (exit 2) naming it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wudi_audit.errors import UserInputError
from wudi_audit.schema.names import ColumnName, combine, from_options, from_settings

SETTINGS_NAME = "wudi-audit.toml"
PATH_KEYS = ("ref_dir", "ledger", "out_dir")
LANGS = ("zh", "en")
KNOWN_KEYS = (*PATH_KEYS, "rules", "mask_ids", "lang", "columns")


@dataclass(frozen=True)
class Settings:
    """Defaults for `check`; `file` is None when no settings file was found."""

    file: Path | None = None
    ref_dir: Path | None = None
    ledger: Path | None = None
    rules: list[Path] = field(default_factory=list)
    out_dir: Path | None = None
    mask_ids: bool | None = None
    lang: str | None = None
    columns: list[ColumnName] = field(default_factory=list)  # [columns.<table>]


def find_settings_file(start: Path) -> Path | None:
    """The nearest `wudi-audit.toml` in `start` or one of its parents."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / SETTINGS_NAME
        if candidate.is_file():
            return candidate
    return None


def load_settings(config: Path | None, cwd: Path | None = None) -> Settings:
    """`--config FILE` if given (it must exist), else the nearest settings file, else none."""
    if config is not None:
        if not config.is_file():
            raise UserInputError(f"设置文件不存在：{config}", f"no such settings file: {config}")
        path: Path | None = config
    else:
        path = find_settings_file(cwd or Path.cwd())
    if path is None:
        return Settings()
    return parse_settings(path)


def _bad(path: Path, key: str, zh: str, en: str) -> UserInputError:
    return UserInputError(f"设置文件 {path} 中的“{key}”{zh}", f"settings file {path}: '{key}' {en}")


def parse_settings(path: Path) -> Settings:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(
            f"无法读取设置文件：{path}", f"cannot read settings file {path}: {exc}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(
            f"设置文件 {path} 不是有效的 TOML：{exc}", f"settings file {path} is not TOML: {exc}"
        ) from None
    base = path.resolve().parent
    values: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = raw_key.replace("-", "_")
        if key not in KNOWN_KEYS:
            raise _bad(
                path,
                raw_key,
                f"不是可识别的设置；可用：{'、'.join(KNOWN_KEYS)}",
                f"is not a known setting; known: {', '.join(KNOWN_KEYS)}",
            )
        if key in values:
            raise _bad(path, raw_key, "重复出现", "is given twice")
        if key == "columns":
            if not isinstance(value, dict):
                raise _bad(
                    path, raw_key, "应为 [columns.<表>] 表", "must be [columns.<table>] tables"
                )
            values[key] = from_settings(value, str(path))
            continue
        values[key] = _value(path, base, raw_key, key, value)
    return Settings(file=path.resolve(), **values)


def _path(path: Path, base: Path, raw_key: str, value: Any) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise _bad(path, raw_key, "应为路径（字符串）", "must be a path (a string)")
    given = Path(value.strip()).expanduser()
    return given if given.is_absolute() else base / given


def _value(path: Path, base: Path, raw_key: str, key: str, value: Any) -> Any:
    if key in PATH_KEYS:
        return _path(path, base, raw_key, value)
    if key == "rules":
        items = value if isinstance(value, list) else [value]
        if not items:
            raise _bad(path, raw_key, "不能为空列表", "must not be an empty list")
        return [_path(path, base, raw_key, item) for item in items]
    if key == "mask_ids":
        if not isinstance(value, bool):
            raise _bad(path, raw_key, "应为 true 或 false", "must be true or false")
        return value
    if value not in LANGS:  # lang
        raise _bad(path, raw_key, "应为 zh 或 en", "must be zh or en")
    return value


@dataclass(frozen=True)
class Resolved:
    """The options every command shares, after the settings file: what `check`,
    `ledger add`, `ledger list` and `ledger remove` use."""

    ledger: Path  # the ledger folder
    ref_dir: Path | None
    rules: list[Path] | None
    mask_ids: bool
    lang: str
    settings: Settings
    columns: list[ColumnName]  # the user's own names, `--column` over the settings file


def resolve_options(
    config: Path | None,
    *,
    ledger: Path | None = None,
    ref_dir: Path | None = None,
    rules: list[Path] | None = None,
    mask_ids: bool | None = None,
    lang: str | None = None,
    columns: list[str] | None = None,
) -> Resolved:
    """Options given win over the settings file, the settings file over the defaults. The
    ledger: `--ledger`, then `$WUDI_LEDGER`, then the settings file, then `./wudi-ledger`."""
    from wudi_audit.ledger.layout import resolve_folder

    settings = load_settings(config)
    folder, explicit = resolve_folder(ledger)
    if not explicit and settings.ledger is not None:
        folder = settings.ledger
    return Resolved(
        ledger=folder,
        ref_dir=ref_dir or settings.ref_dir,
        rules=rules or settings.rules or None,
        mask_ids=bool(settings.mask_ids if mask_ids is None else mask_ids),
        lang=lang or settings.lang or "zh",
        settings=settings,
        columns=combine(from_options(columns or []), settings.columns),
    )
