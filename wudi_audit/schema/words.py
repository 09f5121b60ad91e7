"""Header words (SPEC §3): how a header cell is understood when it is not one of the
documented spellings of `tables.py`.

A header is first cleaned — white space, full-width forms, required-field markers
(`*姓名`, `姓名*`, `★`, `※`), numbering at the start (`1.`, `①`, `（一）`) and bracketed
remarks at the end (`（必填）`, `（格式：2025-03-01）`) removed, the remarks kept for the
unit — and then recognised by its words: a subject and a kind, as the patterns below
say (each matches the whole cleaned header). Words that make a column something else
win (`something_else`). To teach the tool a new spelling, extend a pattern here
and add the spelling, with where it was seen, to `tests/test_header_words.py`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from wudi_audit.facts.text import INVISIBLE_PATTERN

# ---- cleaning ------------------------------------------------------------------------
_MARKERS = "*★☆※△▲●◆"
_CIRCLED = re.compile(r"^[\u2460-\u2473\u2776-\u277f]")  # ① … ⑳, ❶ … ❿ (before NFKC)
_NUMBERING = re.compile(
    r"^(?:\d{1,2}[.、)．]|\(\d{1,2}\)|\(?[一二三四五六七八九十]{1,3}\)[、.]?|"
    r"[一二三四五六七八九十]{1,3}、|\d{1,2}(?=[\u4e00-\u9fff]))"
)
_TRAILING_GROUP = re.compile(r"(?:\(([^()]*)\)|\[([^\[\]]*)\]|【([^【】]*)】)$")
_INVISIBLE = re.compile(INVISIBLE_PATTERN)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CleanHeader:
    text: str  # the words that name the column
    groups: tuple[str, ...]  # bracketed remarks and units removed from the end, outermost last
    raw: str  # the cell as written, trimmed


def clean_header(cell: object) -> CleanHeader:
    """`＊补贴金额（元）（必填）` → text `补贴金额`, groups (`元`, `必填`)."""
    raw = "" if cell is None else str(cell).strip()
    text = _CIRCLED.sub("", raw)
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE.sub("", _INVISIBLE.sub("", text))
    groups: list[str] = []
    previous = None
    while previous != text:
        previous = text
        text = text.strip(_MARKERS)
        text = _NUMBERING.sub("", text)
        found = _TRAILING_GROUP.search(text)
        if found and found.start() > 0:
            groups.insert(0, next(g for g in found.groups() if g is not None))
            text = text[: found.start()]
    return CleanHeader(text, tuple(groups), raw)


# ---- units ---------------------------------------------------------------------------
# A group that speaks of money or of a per-unit rate is a unit and must be understood;
# any other group (必填, 格式：…, 工种, 课时, %) is a remark.
_UNIT_LIKE = re.compile(r"[元币金$¥/]|USD|RMB", re.IGNORECASE)
MONEY_UNITS = {"元": 1, "人民币元": 1, "人民币": 1, "万元": 10_000}
# A rate's unit in a reference list (SPEC §3 "Rates"): yuan (or 万元) per that unit.
_RATE = re.compile(r"^(元|万元|人民币元)/(课时|学时|人/课时|人/学时|课时/人|学时/人|人)$")


@dataclass(frozen=True)
class Unit:
    text: str
    factor: int  # to yuan
    per_unit: bool  # `元/课时`: a rate


def money_unit(groups: tuple[str, ...]) -> Unit | str | None:
    """The money unit among a header's groups: a `Unit`, None when there is none, or the
    unit's text when it is one the tool cannot read (`美元/课时`, `元/天`)."""
    for group in reversed(groups):
        if group in MONEY_UNITS:
            return Unit(group, MONEY_UNITS[group], False)
        if found := _RATE.match(group):
            return Unit(group, MONEY_UNITS[found.group(1)], True)
        if _UNIT_LIKE.search(group):
            return group
    return None


# ---- words ---------------------------------------------------------------------------
# field → the whole cleaned header, as a regular expression (subject, then kind).
_ID = r"(公民|居民|学员|本人|参训人员)?(身份证件?(号码|号)?|身份号码|证件号码?|身份证明号码)"
_SHARED = {
    "id_number": _ID,
    "name": r"(学员|学生|培训人员|参训人员|人员|申请人|劳动者|职工)?姓名",
    "project_code": r"(培训)?项目(编号|代码|编码|号)",
    "class_id": r"(培训)?(班级|开班|班次|期班|班)(编号|代码|编码|号)",
    "provider_code": r"(培训)?(机构|单位)?(统一)?社会信用代码|(培训)?(机构|单位)(代码|编码|编号)",
    "provider_name": r"(培训|承训|办班|实施)(机构|单位|学校)(名称)?|(机构|单位)名称",
    "project_name": r"(培训)?项目(名称)?",
    "occupation": r"(培训)?(职业|工种|专业)(工种)?(名称)?",
    "level": r"(职业)?(技能)?(培训)?等级",
    "district": r"(所属)?(板块|区县|地区|辖区|区域)",
}
WORDS: dict[str, dict[str, str]] = {
    "claims": {
        **_SHARED,
        "start_date": r"(培训)?(开班|开课|开始|开训|起始)(日期|时间)",
        "end_date": r"(培训)?(结业|结课|结束|结训|截止|终止)(日期|时间)",
        "online_hours": r"(线上|网络|在线|网上)(培训|学习)?(课时|学时)数?",
        "offline_hours": r"(线下|面授|现场|集中)(培训|学习)?(课时|学时)数?",
        "total_hours": r"(总|合计)(培训)?(课时|学时)数?|(培训)?(课时|学时)(合计|总数|总计)",
        "assessment": (
            r"(结业)?(考核|考试|鉴定|考评|评价)(结果|情况|结论)|是否(合格|通过考核)|合格与否"
        ),
        "amount": r".*(补贴|补助|申领|申请|发放|应补|应发).*(金额|资金)(合计|小计)?",
        "mode": r"(培训|学习|授课)(模式|方式|形式)",
        "category": r"(人员|身份|学员)(类别|类型)",
        "graduation_date": r"毕业(时间|日期)",
        "training_site": r"(培训|办班|授课|上课)(地点|场地|地址)",
        "certificate_no": r".*证书(编号|号码|号)",
        "claim_id": r"(申领|申请)(编号|单号|流水号)",
        "phone": r"(学员|本人|联系人)?(联系|手机|移动)?(电话|手机)(号码|号)?|联系方式",
        "training_period": r"(培训)?(起止|起讫)(日期|时间)|培训(时间|日期|期间)",
    },
    "attendance": {
        "id_number": _ID,
        "class_id": _SHARED["class_id"],
        "sign_in": r"(签到|上线|开始|登录)时间",
        "sign_out": r"(签退|下线|结束|退出)时间",
        "hours": r"(认定|有效|学习)?(课时|学时)数?",
        "device": r"(签到)?(设备|终端)(号|编号|编码)?",
        "mode": r"(培训|学习)?方式",
    },
    "excluded": {"id_number": _ID, "name": _SHARED["name"], "kind": r"(名单|人员)(类别|类型)"},
    "catalog": {
        **_SHARED,
        "online_rate": r"(线上|网络)(培训)?(课时)?补贴(标准)?",
        "offline_rate": r"(线下|面授)(培训)?(课时)?补贴(标准)?",
    },
    "providers": {**_SHARED},
    "standards": {**_SHARED},
    "budget": {**_SHARED, "amount": r"(预算|总额|控制)(金额|总额|资金)?"},
    "urban_rural": {**_SHARED},
}
# Words that make a column something else, whatever else it says.
SHARE = re.compile(r"占比|比例|比率|率|%|百分")  # a share: never hours nor an amount
NOT_AN_AMOUNT = re.compile(r"标准|单价|/|累计|历史|已发|已领")  # a rate or another sum
_MEASURES = ("online_hours", "offline_hours", "total_hours", "hours", "amount")
_COMPILED = {
    table: {field: re.compile(pattern) for field, pattern in fields.items()}
    for table, fields in WORDS.items()
}


def field_by_words(header: CleanHeader, table: str, kinds: dict[str, str]) -> str | None:
    """The first field of `table` (of those in `kinds`) whose words the whole cleaned
    header matches; None when none does."""
    for field, pattern in _COMPILED.get(table, {}).items():
        if field in kinds and pattern.fullmatch(header.text):
            return field
    return None


def something_else(field: str, table: str, header: CleanHeader) -> bool:
    """Words that make a column something else win over the field it seems to name: a
    share is never hours nor an amount; a rate (标准, 单价, `/`, a per-unit unit) or another
    sum (累计, 已发 …) is never a claims or budget amount (SPEC §3 "Header words")."""
    if field in _MEASURES and SHARE.search(header.text + "".join(header.groups)):
        return True
    if field == "amount" and table in ("claims", "budget"):
        unit = money_unit(header.groups)
        return bool(NOT_AN_AMOUNT.search(header.text)) or (isinstance(unit, Unit) and unit.per_unit)
    return False
