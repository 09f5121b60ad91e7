"""A library's failure to read a file, told as the user's problem: damaged, truncated,
encrypted, not a spreadsheet (Chinese first, English after, the raw detail last)."""

from __future__ import annotations

from wudi_audit.errors import UserInputError


def reraise_interrupts(exc: BaseException) -> None:
    if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
        raise exc


# Known raw library messages, translated; the raw text is kept last, after 详情/detail.
KNOWN_ERRORS = (
    ("password", "文件受密码保护", "password-protected"),
    ("cannot detect file format", "内容无法识别为该格式", "the content is not of that format"),
    ("failed to fill whole buffer", "数据不完整，文件被截断", "data cut short (truncated)"),
    ("unexpected end of file", "数据不完整，文件被截断", "data cut short (truncated)"),
    ("missing the expected 'r' attribute", "单元格缺少位置信息", "a cell lacks its position"),
    ("zip", "压缩包结构损坏", "the zip structure is broken"),
    ("invalid ole", "不是有效的 OLE 复合文件", "not a valid OLE compound file"),
    ("cannot find workbook stream", "缺少 Workbook 数据流", "no Workbook stream"),
    ("xml", "XML 内容不合法", "the XML is malformed"),
    ("out of range", "内部结构引用越界", "an internal reference points outside the data"),
    ("panicked", "读取器遇到无法处理的结构", "the reader met a structure it cannot handle"),
)


FORMAT_NAMES = {"xls": ".xls", "xlsx": ".xlsx", "xlsb": ".xlsb", "ods": ".ods"}


def unreadable(
    where: str, exc: BaseException, fmt: str = "", noise: list[str] | None = None
) -> UserInputError:
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    lowered = " ".join([detail, *(noise or [])[:2]]).lower()
    if "password" in lowered or "encrypt" in lowered:
        return UserInputError(
            f"文件受密码保护（已加密），无法读取：{where}；请另存为不加密的文件后重试",
            f"file is password-protected (encrypted): {where}; save an unencrypted copy",
        )
    reason_zh, reason_en = next(
        ((zh, en) for key, zh, en in KNOWN_ERRORS if key in lowered),
        ("无法解析", "cannot be parsed"),
    )
    kind = FORMAT_NAMES.get(fmt, "")
    kind = f"{kind} " if kind else ""
    return UserInputError(
        f"{kind}文件已损坏、被截断或不是有效的表格文件：{where}（{reason_zh}）；详情：{detail}",
        f"{kind}file is damaged, truncated or not a spreadsheet: {where} ({reason_en}); "
        f"detail: {detail}",
    )
