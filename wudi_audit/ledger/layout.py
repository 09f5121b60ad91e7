"""Where the ledger's files live and what columns they hold (SPEC §3.4).

    wudi-ledger/
      year=2026/<batch id>~<hash16>.parquet   one file per accepted batch and end-date year
      .removed/<time>/year=2026/…             batches taken out by `ledger remove`
      .lock, .journal.json                    held and written only while a writer works

Plain Parquet, Hive-partitioned by year, so DuckDB, Spark or pandas read it as it is:
`SELECT * FROM read_parquet('wudi-ledger/year=*/*.parquet', hive_partitioning = true)`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from wudi_audit.errors import UserInputError
from wudi_audit.schema.ledger import (
    LEDGER_SCHEMA,
    READABLE_VERSIONS,
    SCHEMA_VERSION,
    V1_DEFAULTS,
)

PARTITION = re.compile(r"^year=([0-9]{4})$")
HASH_PREFIX = 16
_UNSAFE = re.compile(r'[<>:"/\\|?*%~\x00-\x1f]')
DEFAULT_FOLDER = "wudi-ledger"


def resolve_folder(option: Path | None) -> tuple[Path, bool]:
    """The ledger folder: `--ledger`, else $WUDI_LEDGER, else ./wudi-ledger; and whether
    it was named explicitly."""
    if option is not None:
        return option, True
    env = os.environ.get("WUDI_LEDGER")
    if env:
        return Path(env), True
    return Path(DEFAULT_FOLDER), False


def file_stem(batch_id: str, content_hash: str) -> str:
    """A batch's file name: its id made safe for Windows and shared drives, then `~` and
    the first 16 hex digits of its content hash."""
    safe = _UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", batch_id)
    if safe.startswith("."):
        safe = "%2E" + safe[1:]
    if safe.endswith((".", " ")):
        safe = safe[:-1] + f"%{ord(safe[-1]):02X}"
    return f"{safe}~{content_hash[:HASH_PREFIX]}"


def batch_of_file(path: Path) -> tuple[str, str]:
    """(batch id, content hash prefix) from a ledger file's name."""
    stem = path.name.removesuffix(".parquet")
    safe, _, prefix = stem.rpartition("~")
    return re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), safe), prefix


@dataclass(frozen=True)
class LedgerFile:
    path: Path
    year: int
    batch_id: str
    hash_prefix: str


def ledger_error(zh: str, en: str) -> UserInputError:
    return UserInputError(f"台账错误：{zh}", f"ledger: {en}")


def check_folder(folder: Path) -> bool:
    """Whether the ledger exists; a path that is not a folder stops the run."""
    if not folder.exists():
        return False
    if not folder.is_dir():
        raise ledger_error(
            f"{folder} 不是文件夹（台账应为一个文件夹）", f"{folder} is not a folder"
        )
    return True


def ledger_files(folder: Path) -> list[LedgerFile]:
    """Every batch file in the ledger. Hidden entries (`.removed`, `.lock`, temporary
    files) are the ledger's own; any other Parquet file out of place stops the run, since
    skipping it could let a repeat claim pass."""
    if not check_folder(folder):
        return []
    found: list[LedgerFile] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        match = PARTITION.match(entry.name)
        if entry.is_dir() and match:
            for path in sorted(entry.iterdir()):
                if path.name.startswith("."):
                    continue
                if path.suffix != ".parquet" or "~" not in path.name or not path.is_file():
                    raise ledger_error(
                        f"{path} 不是台账文件（台账文件名应为 批次编号~哈希.parquet）",
                        f"{path} is not a ledger file",
                    )
                batch_id, prefix = batch_of_file(path)
                found.append(LedgerFile(path, int(match.group(1)), batch_id, prefix))
        elif entry.suffix.lower() == ".parquet" or entry.is_dir():
            raise ledger_error(
                f"{entry} 不是台账的一部分（台账只含 year=YYYY 文件夹）",
                f"{entry} is not part of a ledger (only year=YYYY folders belong in it)",
            )
    return found


VERSION_KEY = "wudi_ledger_version"


def validate_file(path: Path) -> int:
    """A ledger file must be readable Parquet of a version this tool reads, with exactly
    that version's columns and types; returns the version. Only the footer is read."""
    try:
        schema = dict(pl.read_parquet_schema(path))
        version = pl.read_parquet_metadata(path).get(VERSION_KEY)
    except Exception as exc:
        raise ledger_error(
            f"无法读取台账文件 {path}（文件损坏或不是 Parquet）；为免漏查重复申领，审核已停止",
            f"cannot read ledger file {path} ({type(exc).__name__}); stopped so that "
            "repeat claims cannot pass",
        ) from exc
    number = int(version) if version and version.isdigit() else None
    if number not in READABLE_VERSIONS:
        raise ledger_error(
            f"{path} 不是本版本的台账文件（格式版本 {version or '无'}，应为 {SCHEMA_VERSION}）",
            f"{path} is not a ledger file of schema version {SCHEMA_VERSION} "
            f"(found {version or 'none'})",
        )
    expected = READABLE_VERSIONS[number]
    if schema != expected:
        missing = sorted(set(expected) - set(schema))
        extra = sorted(set(schema) - set(expected))
        parts = [
            f"缺少列 {', '.join(missing)}" if missing else "",
            f"多出列 {', '.join(extra)}" if extra else "",
        ]
        detail = "；".join(p for p in parts if p) or "列类型不符"
        raise ledger_error(
            f"{path} 不是本版本的台账文件（{detail}）",
            f"{path} does not have the ledger's columns (missing {missing}, extra {extra})",
        )
    return number


def scan_ledger(paths: list[Path], **options: object) -> pl.LazyFrame:
    """The files as one frame of today's columns: each version scanned with its own
    columns, a version-1 record read as decided by the rules (`pass`)."""
    by_version: dict[int, list[Path]] = {}
    for path in paths:
        by_version.setdefault(validate_file(path), []).append(path)
    scans = []
    for version, files in sorted(by_version.items()):
        scan = pl.scan_parquet(files, schema=READABLE_VERSIONS[version], **options)
        if version != SCHEMA_VERSION:
            added = [
                pl.lit(V1_DEFAULTS.get(c), dtype=t).alias(c)
                for c, t in LEDGER_SCHEMA.items()
                if c not in READABLE_VERSIONS[version]
            ]
            scan = scan.with_columns(added)
        scans.append(scan)
    if not scans:
        return pl.LazyFrame(schema=LEDGER_SCHEMA)
    columns = [*LEDGER_SCHEMA, *(k for k in scans[0].collect_schema() if k not in LEDGER_SCHEMA)]
    return pl.concat([s.select(columns) for s in scans], how="vertical")
