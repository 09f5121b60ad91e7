"""The input tables and their fields (SPEC §3): accepted headers, kind, whether required."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    ID_NUMBER = "id_number"
    CODE = "code"  # identifiers kept as text: project, class, credit code
    DATE = "date"
    DATETIME = "datetime"
    NUMBER = "number"  # hours
    MONEY = "money"  # yuan, also kept as whole fen
    ASSESSMENT = "assessment"
    MODE = "mode"


@dataclass(frozen=True)
class Field:
    name: str
    label_zh: str
    kind: Kind
    required: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    name: str
    label_zh: str
    fields: tuple[Field, ...]
    # the user's own names (SPEC §3): (field, header as written), from `--column` or the
    # settings file's `[columns.<table>]`; they win over the words
    mapping: tuple[tuple[str, str], ...] = ()

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def kinds(self) -> dict[str, str]:
        return {f.name: f.kind.value for f in self.fields}


def _f(name: str, label: str, kind: Kind, required: bool, *aliases: str) -> Field:
    return Field(name, label, kind, required, aliases)


ID_ALIASES = ("公民身份号码", "身份证号", "身份证号码", "证件号码")
CLASS_ALIASES = ("班级编号", "开班编号", "班级代码")
VALID_FROM = ("生效日期", "开始日期", "有效期起")
VALID_TO = ("失效日期", "截止日期", "有效期止")

CLAIMS = TableSchema(
    "claims",
    "申领明细",
    (
        _f("id_number", "公民身份号码", Kind.ID_NUMBER, True, *ID_ALIASES),
        _f("name", "姓名", Kind.TEXT, True, "姓名", "学员姓名"),
        _f("project_code", "项目编号", Kind.CODE, True, "项目编号", "项目代码", "培训项目编号"),
        _f("class_id", "班级编号", Kind.CODE, True, *CLASS_ALIASES),
        _f(
            "start_date",
            "开班日期",
            Kind.DATE,
            True,
            "开班日期",
            "开班时间",
            "培训开始日期",
            "开始日期",
        ),
        _f(
            "end_date",
            "结业日期",
            Kind.DATE,
            True,
            "结业日期",
            "结业时间",
            "培训结束日期",
            "结束日期",
        ),
        _f("online_hours", "线上课时", Kind.NUMBER, True, "线上课时", "线上学时"),
        _f("offline_hours", "线下课时", Kind.NUMBER, True, "线下课时", "线下学时"),
        _f("assessment", "考核结果", Kind.ASSESSMENT, True, "考核结果", "考核情况", "是否合格"),
        _f(
            "amount",
            "申领金额",
            Kind.MONEY,
            True,
            "申领金额",
            "补贴金额",
            "申请金额",
            "补贴金额合计",
            "发放金额",
        ),
        _f(
            "provider_code",
            "统一社会信用代码",
            Kind.CODE,
            False,
            "统一社会信用代码",
            "机构代码",
            "培训机构代码",
        ),
        _f(
            "provider_name",
            "培训机构",
            Kind.TEXT,
            False,
            "培训机构",
            "培训机构名称",
            "机构名称",
            "培训单位",
            "培训单位名称",
        ),
        _f("project_name", "培训项目", Kind.TEXT, False, "培训项目", "项目名称", "培训项目名称"),
        _f(
            "occupation",
            "职业（工种）",
            Kind.TEXT,
            False,
            "职业（工种）",
            "职业",
            "工种",
            "培训工种",
            "培训专业",
            "工种名称",
            "职业名称",
        ),
        _f("level", "等级", Kind.TEXT, False, "等级", "技能等级", "培训等级", "职业技能等级"),
        _f("mode", "培训模式", Kind.MODE, False, "培训模式", "培训方式", "培训形式"),
        _f("total_hours", "总课时", Kind.NUMBER, False, "总课时", "总学时", "培训课时", "培训学时"),
        _f("category", "人员类别", Kind.TEXT, False, "人员类别", "人员类型", "身份类别"),
        _f("graduation_date", "毕业时间", Kind.DATE, False, "毕业时间", "毕业日期"),
        _f("district", "所属板块", Kind.TEXT, False, "所属板块", "板块", "区县", "所属地区"),
        _f(
            "training_site",
            "培训地点",
            Kind.TEXT,
            False,
            "培训地点",
            "培训场地",
            "办班地点",
            "授课地点",
            "培训地址",
        ),
        _f(
            "certificate_no",
            "证书编号",
            Kind.CODE,
            False,
            "证书编号",
            "证书号",
            "职业资格证书编号",
            "职业技能等级证书编号",
        ),
        _f("claim_id", "申领编号", Kind.CODE, False, "申领编号"),
        _f(
            "phone",
            "联系电话",
            Kind.TEXT,
            False,
            "联系电话",
            "手机号码",
            "手机号",
            "联系方式",
            "电话",
        ),
        # one column holding both dates (SPEC §3, real exports); read only where the
        # batch has no separate start and end columns
        _f(
            "training_period",
            "培训起止时间",
            Kind.TEXT,
            False,
            "培训起止时间",
            "培训时间",
            "起止日期",
        ),
    ),
)

ATTENDANCE = TableSchema(
    "attendance",
    "考勤记录",
    (
        _f("class_id", "班级编号", Kind.CODE, True, *CLASS_ALIASES),
        _f("id_number", "公民身份号码", Kind.ID_NUMBER, True, *ID_ALIASES),
        _f("sign_in", "签到时间", Kind.DATETIME, True, "签到时间", "开始时间", "上线时间"),
        _f("sign_out", "签退时间", Kind.DATETIME, True, "签退时间", "结束时间", "下线时间"),
        _f("mode", "方式", Kind.MODE, False, "方式", "培训方式", "学习方式"),
        _f("hours", "课时", Kind.NUMBER, False, "课时", "学时", "认定课时"),
        _f("device", "设备号", Kind.CODE, False, "设备号", "终端编号", "签到设备"),
    ),
)

EXCLUDED = TableSchema(
    "excluded",
    "财政供养人员名单",
    (
        _f("id_number", "公民身份号码", Kind.ID_NUMBER, True, *ID_ALIASES),
        _f("name", "姓名", Kind.TEXT, False, "姓名", "学员姓名"),
        _f("valid_from", "生效日期", Kind.DATE, False, *VALID_FROM),
        _f("valid_to", "失效日期", Kind.DATE, False, *VALID_TO),
        # 财政供养人员, 死亡人员, 服刑人员 …; empty: 财政供养人员 (SPEC §3.3)
        _f("kind", "名单类别", Kind.TEXT, False, "名单类别", "人员类别", "名单类型", "类别"),
    ),
)

# ---- reference lists read by the O rules, T203 and S301 (SPEC §3.3) ------------------
# Fields shared with the claims accept the claims' headers. Multi-valued cells (project
# codes, sites) are TEXT: they are split on MULTI_VALUE_SEPARATORS by the rules, after
# folding, so that a CODE's white-space removal never glues two values together.

MULTI_VALUE_SEPARATORS = "，,;；、"


def _shared(name: str, required: bool = False) -> Field:
    f = CLAIMS.field(name)
    return Field(f.name, f.label_zh, f.kind, required, f.aliases)


CATALOG = TableSchema(
    "catalog",
    "项目目录清单",
    (
        _shared("project_code", required=True),
        _shared("project_name"),
        _shared("occupation"),
        _shared("level"),
        _f("online_rate", "线上补贴标准", Kind.MONEY, False, "线上补贴标准", "线上补贴"),
        _f("offline_rate", "线下补贴标准", Kind.MONEY, False, "线下补贴标准", "线下补贴"),
        _f(
            "pure_online_approved",
            "纯线上评估通过",
            Kind.TEXT,
            False,
            "纯线上评估通过",
            "纯线上评估",
            "是否通过纯线上评估",
        ),
        _f("valid_from", "生效日期", Kind.DATE, False, *VALID_FROM),
        _f("valid_to", "失效日期", Kind.DATE, False, *VALID_TO),
    ),
)

PROVIDERS = TableSchema(
    "providers",
    "备案机构名单",
    (
        _shared("provider_code"),
        _shared("provider_name", required=True),
        _f("project_codes", "中标项目", Kind.TEXT, False, "中标项目", "中标项目编号"),
        _f("sites", "备案地点", Kind.TEXT, False, "备案地点", "培训地点", "办班地点"),
        _f("valid_from", "生效日期", Kind.DATE, False, *VALID_FROM, "备案日期"),
        _f("valid_to", "失效日期", Kind.DATE, False, *VALID_TO),
        _f("status", "状态", Kind.TEXT, False, "状态", "备案状态"),
        _f("disqualified_from", "取消资格日期", Kind.DATE, False, "取消资格日期"),
    ),
)

URBAN_RURAL = TableSchema(
    "urban_rural",
    "城乡劳动者职业技能培训项目",
    (
        _shared("project_name", required=True),
        _shared("occupation"),
    ),
)

STANDARDS = TableSchema(
    "standards",
    "就业技能培训补贴标准目录",
    (
        _shared("occupation", required=True),
        _shared("level", required=True),
        _f("amount", "补贴标准", Kind.MONEY, True, "补贴标准", *CLAIMS.field("amount").aliases),
    ),
)

BUDGET = TableSchema(
    "budget",
    "总额控制预算",
    (
        _shared("district"),
        _shared("project_code"),
        _f("year", "年度", Kind.TEXT, False, "年度", "预算年度"),
        _f(
            "amount",
            "预算金额",
            Kind.MONEY,
            True,
            "预算金额",
            "预算总额",
            "总额",
            *CLAIMS.field("amount").aliases,
        ),
    ),
)

TABLES: dict[str, TableSchema] = {
    t.name: t
    for t in (CLAIMS, ATTENDANCE, EXCLUDED, CATALOG, PROVIDERS, STANDARDS, BUDGET, URBAN_RURAL)
}
