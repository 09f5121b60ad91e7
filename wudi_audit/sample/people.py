"""The people and places of a sample batch: Suzhou districts, names, occupations,
providers, and identity numbers with a valid check character (DOMAIN)."""

from __future__ import annotations

import datetime as dt
import random

from wudi_audit.facts.idnumber import CHECK_CHARS, WEIGHTS

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)


GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强晓东丹萍玉梅海燕欣"
    "怡子涵浩宇雨轩梓涵一诺思远嘉怡俊杰文博"
)


DISTRICTS = {
    "姑苏区": "320508",
    "虎丘区": "320505",
    "吴中区": "320506",
    "相城区": "320507",
    "吴江区": "320509",
    "常熟市": "320581",
    "张家港市": "320582",
    "昆山市": "320583",
    "太仓市": "320585",
    "苏州工业园区": "320571",
}


OTHER_REGIONS = ("341221", "411423", "510722", "362426", "320382", "321283", "130681")


# (大典 2022 code, occupation, project name)
OCCUPATIONS = (
    ("6-25-04-07", "电子设备装接工", "电子产品装接技能提升"),
    ("6-20-01-02", "数控车工", "数控加工技术"),
    ("4-04-05-05", "人工智能训练师", "人工智能数据标注"),
    ("2-02-10-09", "工业机器人系统运维员", "工业机器人运维"),
    ("4-10-01-05", "养老护理员", "智慧养老护理"),
    ("6-28-01-13", "半导体芯片制造工", "集成电路制造工艺"),
    ("4-13-05-06", "全媒体运营师", "数字内容运营"),
    ("6-12-03-00", "药物制剂工", "生物医药制剂"),
)


LEVELS = ("五级", "四级", "三级")


CATEGORIES = (
    "本市户籍",
    "本市户籍",
    "居住证",
    "居住证",
    "毕业年度高校毕业生",
    "离校2年内未就业高校毕业生",
)


# (name, unified social credit code with a valid GB 32100 check character, site)
PROVIDERS = (
    ("苏州工业园区技能培训学校", "52320594MJ58661232", "星湖街328号"),
    ("苏州吴中职业技能培训中心", "52320506MJ58A3411N", "东吴北路101号"),
    ("昆山市智造技能培训有限公司", "91320583MA1N3L2R5F", "前进西路88号"),
    ("吴江区数字技能学院", "12320509466902781Q", "中山南路1979号"),
)


def id_check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make_id(rng: random.Random, region: str, born: dt.date, male: bool) -> str:
    serial = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


# providers and projects that exist for the plants (SPEC §2's O rules, S302, S307)
UNREGISTERED = ("苏州未备案职业培训中心", "52320508MJ5866123G", "干将路1号")  # on no list
DISQUALIFIED = ("苏州某某职业技能培训学校", "52320594MJ5866122Y", "金鸡湖大道8号")
NO_CODE = ("吴中区社区培训学校", "", "宝带西路5号")  # registered without a credit code
NOT_IN_CATALOG = "WDGJ2026-999"  # every provider won it; the catalogue lacks it
WON_BY_NONE = "WDGJ2026-900"  # in the catalogue; no provider won it
SMALL_BUDGET = "WDGJ2026-901"  # in the catalogue and won; its budget is 500 yuan
LOW_STANDARD = ("插花员", "五级", 600)  # an occupation of the standards list at 600 yuan
SHARED_PHONE = "0512-6666 8888"

# the notice's caps per class hour, yuan: the sample's amounts sit on them
ONLINE_RATE, OFFLINE_RATE = 15, 30
