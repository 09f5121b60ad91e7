"""Which files are batches, and the attendance and reference lists found beside each.

A folder given to `check` contributes every table directly in it (not in sub-folders)
except what is not a claims batch:
- temporary and hidden files: `~$…` (Excel's lock file), `.…`;
- attendance beside a batch: `<stem>.attendance.<ext>` or `<stem>.考勤.<ext>`;
- reference lists: a file whose stem names a list (`catalog`, `providers`, …);
- our own outputs: `….exceptions.xlsx/json`, `….overlaps.xlsx`, `index.xlsx/json`.
Files named one by one on the command line are always batches.

Beside a batch `D/<stem>.<ext>` (used only when `--attendance` / `--ref-dir` and the
list options are not given on the command line or in the settings file):
- attendance: every `D/<stem>.attendance.<ext>` (or `.考勤.`) and every table in a
  folder `D/<stem>.attendance/` (or `D/<stem>.考勤/`);
- reference lists: the folder `D/ref/` (or `D/名单/`), read like `--ref-dir`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wudi_audit.errors import UserInputError
from wudi_audit.read.files import REFERENCE_STEMS, SPREADSHEET_SUFFIXES, is_temporary

ATTENDANCE_MARKS = (".attendance", ".考勤")
REFERENCE_FOLDERS = ("ref", "名单")
OUTPUT_ENDINGS = (".exceptions.xlsx", ".exceptions.json", ".overlaps.xlsx")
INDEX_NAMES = ("index.xlsx", "index.json")


@dataclass
class Batch:
    claims: Path
    name: str  # the stem of its outputs: `<name>.exceptions.xlsx` / `.json`
    attendance: list[Path] = field(default_factory=list)  # found beside it
    ref_dir: Path | None = None  # found beside it


def is_batch_file(path: Path) -> bool:
    """Whether a file found in a folder is a claims batch (see the module's docstring)."""
    name = path.name.lower()
    if is_temporary(path) or path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return False
    if name.endswith(OUTPUT_ENDINGS) or name in INDEX_NAMES:
        return False
    stem = Path(path.stem)
    if stem.suffix.lower() in ATTENDANCE_MARKS:
        return False
    return path.stem.lower() not in REFERENCE_STEMS


def discover(paths: list[Path]) -> list[Batch]:
    """The batches named by `check`'s arguments, in order, each once, with unique names."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and is_batch_file(p))
            if not found:
                raise UserInputError(
                    f"文件夹中没有申领批次：{path}", f"no claims batch in folder {path}"
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise UserInputError(f"文件不存在：{path}", f"no such file or folder: {path}")
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in files:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return [
        Batch(path, name, beside_attendance(path), beside_ref_dir(path))
        for path, name in zip(unique, _names(unique), strict=True)
    ]


def _names(files: list[Path]) -> list[str]:
    """The file's stem; its full name when two batches share a stem (`a.csv`, `a.xlsx`);
    a counter when even that repeats (same name in two folders)."""
    stems = [p.stem for p in files]
    names = [p.name if stems.count(p.stem) > 1 else p.stem for p in files]
    taken: dict[str, int] = {}
    result = []
    for name in names:
        taken[name] = taken.get(name, 0) + 1
        result.append(name if taken[name] == 1 else f"{name}-{taken[name]}")
    return result


def beside_attendance(claims: Path) -> list[Path]:
    folder = claims.parent
    found: list[Path] = []
    for mark in ATTENDANCE_MARKS:
        base = f"{claims.stem}{mark}"
        found.extend(
            p
            for p in sorted(folder.glob(f"{_escape(base)}.*"))
            if p.is_file() and not is_temporary(p) and p.suffix.lower() in SPREADSHEET_SUFFIXES
        )
        if (folder / base).is_dir():
            found.append(folder / base)
    return found


def beside_ref_dir(claims: Path) -> Path | None:
    for name in REFERENCE_FOLDERS:
        if (claims.parent / name).is_dir():
            return claims.parent / name
    return None


def _escape(text: str) -> str:
    """A file stem as a glob pattern matching only itself."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)
