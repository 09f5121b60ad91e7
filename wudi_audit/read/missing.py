"""What to say when a table lacks required fields (SPEC §3): what is missing, what was
found, the closest header for each, and how to fix it — `wudi-audit inspect` to see how
the file is understood, and the `--column` line (or the settings file's
`[columns.<table>]` line) that names the header."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from wudi_audit.errors import UserInputError
from wudi_audit.read.headers import (
    HEADER_SEARCH_ROWS,
    HeaderMatch,
    lacking_mapped_headers,
    mapping_error,
)
from wudi_audit.schema.tables import TableSchema


class MissingFieldsError(UserInputError):
    """Required fields not found; `best` is the header row that came closest."""

    def __init__(self, zh: str, en: str, best: HeaderMatch | None) -> None:
        super().__init__(zh, en)
        self.best = best


def closest_header(schema: TableSchema, field: str, found: Sequence[str]) -> str | None:
    """The found header most like the field's documented spellings."""
    spellings = schema.field(field).aliases
    close = difflib.get_close_matches(spellings[0], list(found), n=1, cutoff=0.3)
    if close:
        return close[0]
    best, best_score = None, 0.0
    for alias in spellings:
        for header in found:
            score = difflib.SequenceMatcher(None, alias, header).ratio()
            if score > best_score:
                best, best_score = header, score
    return best if best is not None and best_score >= 0.3 else None


def quoted(text: str) -> str:
    """A command-line argument a user can paste (a space or quote inside needs quotes)."""
    return f'"{text}"' if any(c in text for c in " \t'\"&|;()<>") else text


def fix_line(schema: TableSchema, field: str, header: str) -> str:
    """`--column amount=本次申请补贴` for the claims; the settings file's line otherwise."""
    if schema.name == "claims":
        return f"--column {quoted(f'{field}={header}')}"
    return f'[columns.{schema.name}] {field} = "{header}"'


def inspect_command(schema: TableSchema, path: str) -> str:
    table = "" if schema.name == "claims" else f" --table {schema.name}"
    return f"wudi-audit inspect {quoted(path)}{table}"


def missing_columns_error(
    schema: TableSchema, best: HeaderMatch | None, where: str, path: str | None = None
) -> MissingFieldsError:
    path = path or where
    if best is not None and (lacking := lacking_mapped_headers(best, schema)):
        # the user named a header the file does not have: say that, not what follows from it
        message = mapping_error(best, lacking, where)
        return MissingFieldsError(message.zh, message.en, best)
    inspect = inspect_command(schema, path)
    if best is None or len(best.columns) < max(2, len(schema.required) // 3):
        # nothing resembles a header row (a README, a chart-only workbook): say so in one
        # line, never list a data row's cells as "headers found"
        needed = "、".join(f.label_zh for f in schema.required)
        return MissingFieldsError(
            f"{where} 的前 {HEADER_SEARCH_ROWS} 行中没有找到表头行；{schema.label_zh}需要这些列："
            f"{needed}（可用表头见 wudi-audit schema；查看文件如何被识别：{inspect}）",
            f"{where}: no header row in the first {HEADER_SEARCH_ROWS} rows; a {schema.name} "
            f"table needs: {', '.join(f.name for f in schema.required)} "
            f"(accepted headers: wudi-audit schema; how the file is read: {inspect})",
            best,
        )
    found = [best.label(i) for i in range(len(best.headers)) if best.label(i)]
    unread = [h for i, h in enumerate(best.headers) if i not in best.columns.values()]
    unread_labels = [best.label(i) for i, h in enumerate(best.headers) if h and h in unread]
    lines_zh, lines_en, fixes = [], [], []
    for name in best.missing(schema):
        field = schema.field(name)
        close = closest_header(schema, name, unread_labels) or closest_header(schema, name, found)
        hint_zh = f"，最接近的是“{close}”" if close else ""
        hint_en = f", closest found: {close!r}" if close else ""
        lines_zh.append(f"“{field.label_zh}”（可用表头：{'、'.join(field.aliases)}）{hint_zh}")
        lines_en.append(f"{name} (accepted: {', '.join(field.aliases)}){hint_en}")
        fixes.append(fix_line(schema, name, close or "表头"))
    found_text = "、".join(found) if found else "（无）"
    fix = " ".join(fixes) if schema.name == "claims" else "；".join(fixes)
    return MissingFieldsError(
        f"{where} 缺少必需列：" + "；".join(lines_zh) + f"。找到的表头：{found_text}。"
        f"查看各列如何被识别：{inspect}；若某列就是所缺字段，可指明：{fix}",
        f"{where} is missing required columns: "
        + "; ".join(lines_en)
        + f". Headers found: {', '.join(found) or '(none)'}. "
        f"See how each column is read: {inspect}; to name a column: {fix}",
        best,
    )
