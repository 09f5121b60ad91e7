"""Which files are inputs: the attendance files of a folder, the reference lists of
`--ref-dir` by their stems (SPEC §3.3), each overridden by its own option; office lock
files and hidden files never."""

from __future__ import annotations

from pathlib import Path

from wudi_audit.errors import UserInputError

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".parquet")


def is_temporary(path: Path) -> bool:
    """Office lock files (`~$…`), hidden files and temporary files are never inputs."""
    return path.name.startswith(("~$", ".")) or path.suffix.lower() == ".tmp"


def attendance_files(paths: list[Path]) -> list[Path]:
    """`--attendance` may name files or folders; a folder contributes every table in it."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in SPREADSHEET_SUFFIXES and not is_temporary(p)
            )
            if not found:
                raise UserInputError(
                    f"考勤文件夹中没有表格文件：{path}",
                    f"no spreadsheet in attendance folder {path}",
                )
            files.extend(found)
        else:
            files.append(path)
    return files


REFERENCE_STEMS = ("catalog", "providers", "excluded", "standards", "budget", "urban_rural")
# lists of which a batch may have several (SPEC §3.3): `excluded*` files, or the option
# given several times; each is keyed `excluded`, `excluded:2`, … and read as one list
SEVERAL = ("excluded",)


def list_name(key: str) -> str:
    """`excluded` for `excluded:2`: the list a key belongs to."""
    return key.split(":", 1)[0]


def _several(name: str, paths: list[Path]) -> dict[str, Path]:
    return {name if i == 0 else f"{name}:{i + 1}": p for i, p in enumerate(paths)}


def reference_files(ref_dir: Path | None) -> dict[str, Path]:
    if ref_dir is None:
        return {}
    if not ref_dir.is_dir():
        raise UserInputError(f"参考名单文件夹不存在：{ref_dir}", f"no such folder: {ref_dir}")
    found: dict[str, Path] = {}
    several: dict[str, list[Path]] = {name: [] for name in SEVERAL}
    for path in sorted(ref_dir.iterdir()):
        stem = path.stem.lower()
        many = next((n for n in SEVERAL if stem.startswith(n)), None)
        if many and path.is_file() and not is_temporary(path):
            several[many].append(path)  # excluded.xlsx, excluded_死亡人员.xlsx …
            continue
        if stem in REFERENCE_STEMS and path.is_file():
            if stem in found:
                raise UserInputError(
                    f"参考名单“{stem}”有两个文件：{found[stem].name}、{path.name}",
                    f"two files for the list {stem}: {found[stem].name}, {path.name}",
                )
            found[stem] = path
    for name, paths in several.items():
        found.update(_several(name, paths))
    return found


def list_options(
    excluded: Path | list[Path] | None,
    catalog: Path | None,
    providers: Path | None,
    standards: Path | None,
    budget: Path | None,
    urban_rural: Path | None,
) -> dict[str, Path | None]:
    """The list options by list name (SPEC §3.3's file stems); `--excluded` may be given
    several times."""
    excluded_paths = excluded if isinstance(excluded, list) else [excluded] if excluded else []
    return {
        **_several("excluded", excluded_paths),
        "catalog": catalog,
        "providers": providers,
        "standards": standards,
        "budget": budget,
        "urban_rural": urban_rural,
    }


def references_from(ref_dir: Path | None, lists: dict[str, Path | None]) -> dict[str, Path]:
    """Reference lists from `--ref-dir`, each overridden by its own option."""
    references = reference_files(ref_dir)
    given = {name: path for name, path in lists.items() if path is not None}
    for name in SEVERAL:  # lists given by option replace that list's files, all of them
        if any(list_name(key) == name for key in given):
            references = {k: v for k, v in references.items() if list_name(k) != name}
    references.update(given)
    return references
