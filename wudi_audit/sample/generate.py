"""A realistic sample batch (claims + attendance) with a known handful of planted problems.

Used by `make demo`, the end-to-end tests and the benchmarks (any size, deterministic).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from wudi_audit.facts.idnumber import CHECK_CHARS
from wudi_audit.sample.files import (
    ATTENDANCE_HEADERS,
    CLAIM_HEADERS,
    write_attendance_xlsx,
    write_claims_xlsx,
    write_csv,
    write_other_references,
    write_parquet,
    write_references,
)
from wudi_audit.sample.people import (
    CATEGORIES,
    DISQUALIFIED,
    DISTRICTS,
    GIVEN,
    LEVELS,
    LOW_STANDARD,
    NO_CODE,
    NOT_IN_CATALOG,
    OCCUPATIONS,
    OFFLINE_RATE,
    ONLINE_RATE,
    OTHER_REGIONS,
    PROVIDERS,
    SHARED_PHONE,
    SMALL_BUDGET,
    SURNAMES,
    UNREGISTERED,
    WON_BY_NONE,
    id_check_char,
    make_id,
)

PROXY_TRAINEES = 5  # T210 flags more than 3 trainees on one device (the default pack)


def _claim(rng: random.Random, index: int, class_start: dict, taken: set[str]) -> dict:
    district = rng.choice(list(DISTRICTS))
    region = DISTRICTS[district] if rng.random() < 0.6 else rng.choice(OTHER_REGIONS)
    male = rng.random() < 0.5
    # of working age at the start (2026): women on the 55 track born 1972 or later
    born = dt.date(1967 if male else 1972, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 32))
    code, occupation, project = OCCUPATIONS[index % len(OCCUPATIONS)]
    class_no = index // 30
    start = class_start.setdefault(
        class_no, dt.date(2026, 3, 2) + dt.timedelta(days=7 * (class_no % 30))
    )
    end = start + dt.timedelta(days=13)
    online = rng.choice((0, 8, 10, 12, 14, 16))
    offline = rng.choice((28, 32, 36)) if online else rng.choice((36, 40, 48))
    provider = PROVIDERS[class_no % len(PROVIDERS)]
    category = rng.choice(CATEGORIES)
    graduation = None
    if category == "毕业年度高校毕业生":
        graduation = dt.date(2026, 6, 30)
        born = dt.date(2003, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    elif category == "离校2年内未就业高校毕业生":
        graduation = dt.date(2025, 6, 30)
        born = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    number = make_id(rng, region, born, male)
    while number in taken:  # unique unless a collision is the plant (P106)
        number = make_id(rng, region, born + dt.timedelta(days=rng.randrange(1, 60)), male)
    taken.add(number)
    return {
        "申领编号": f"SL2026{index + 1:07d}",
        "姓名": name,
        "公民身份号码": number,
        "人员类别": category,
        "毕业时间": graduation,
        "所属板块": district,
        "培训机构": provider[0],
        "统一社会信用代码": provider[1],
        "项目编号": f"WDGJ2026-{(index % len(OCCUPATIONS)) + 1:03d}",
        "培训项目": project,
        "职业（工种）": occupation,
        "等级": LEVELS[index % len(LEVELS)],
        "班级编号": f"BJ2026{class_no + 1:05d}",
        "培训方式": "线上线下融合" if online else "线下",
        "开班日期": start,
        "结业日期": end,
        "线上课时": online,
        "线下课时": offline,
        "总课时": online + offline,
        "考核结果": "合格",
        "补贴金额（元）": online * ONLINE_RATE + offline * OFFLINE_RATE,
        "培训地点": provider[2],
        "证书编号": f"ZS2026{index + 1:08d}",
        "联系电话": f"139{index * 7919 % 100_000_000:08d}",
        "_occupation_code": code,
    }


def _plant(claims: list[dict], rng: random.Random) -> dict[str, list[int]]:
    """Plant one problem per rule at fixed positions; returns code → source rows."""
    planted: dict[str, list[int]] = {}
    n = len(claims)
    slots = iter(range(3, n, max(1, n // 40)))

    def take(code: str) -> dict | None:
        index = next(slots, None)
        if index is None:
            return None
        planted.setdefault(code, []).append(index + 3)  # title row + header row, 1-based
        return claims[index]

    if c := take("T201"):
        c.update({"线上课时": 8, "线下课时": 22, "总课时": 30, "补贴金额（元）": 8 * 15 + 22 * 30})
    if c := take("T202"):
        c.update(
            {"线上课时": 20, "线下课时": 20, "总课时": 40, "补贴金额（元）": 20 * 15 + 20 * 30}
        )
    if c := take("T204"):
        c["考核结果"] = "不合格"
    if c := take("S301"):
        c["补贴金额（元）"] = c["补贴金额（元）"] + 180
    if c := take("T208"):
        c["总课时"] = c["总课时"] + 8
    if c := take("D001"):
        c["_attendance_start"] = c["开班日期"]
        c["开班日期"] = None
    if c := take("D002"):
        c["结业日期"] = "2026-02-30"
    if c := take("D003"):
        c["补贴金额（元）"] = -c["补贴金额（元）"]
    if c := take("P101"):
        body = c["公民身份号码"][:17]
        wrong = CHECK_CHARS[(CHECK_CHARS.index(id_check_char(body)) + 1) % 11]
        c["公民身份号码"] = body + wrong
    if c := take("P102"):
        c["_attendance_id"] = c["公民身份号码"]
        c["公民身份号码"] = float(c["公民身份号码"][:17] + "1")  # stored as a number
    if c := take("P103"):
        c["公民身份号码"] = make_id(rng, "320508", dt.date(1959, 5, 12), True)
    if c := take("P104"):
        c["_excluded"] = True
    if c := take("P105"):
        c["人员类别"] = "在校生"
    if (c := take("P106")) is not None and len(claims) > 40:
        # the same identity number under another name, in another class
        other = claims[(claims.index(c) + 35) % len(claims)]
        c["公民身份号码"] = other["公民身份号码"]
        planted["P106"].append(claims.index(other) + 3)
        # one person in two classes whose sessions share the same hours: T206 as well
        planted["T206"] = list(planted["P106"])
    if c := take("T205"):
        c["_drop_sessions"] = 2  # two offline sessions (8 class hours) never attended
    if c := take("T206"):
        c["_other_class_overlap"] = True  # also signed in to another class at the same time
    if c := take("T207"):
        c["_early_session"] = True  # one session three days before the class opened
    if c := take("T209"):
        c.update(
            {"线上课时": 16, "线下课时": 28, "总课时": 44, "补贴金额（元）": 16 * 15 + 28 * 30}
        )
        c["培训方式"] = "线上线下融合"
        c["_online_binge"] = True  # 12 online class hours credited on one day
    if (c := take("T210")) is not None and len(claims) > 40:
        # more trainees than the rule allows (device_max_trainees, 3) sign in on one phone
        # within minutes: the first trainees of one class, online
        first = claims.index(c)
        klass = c["班级编号"]
        group = [x for x in claims[first:] if x["班级编号"] == klass][:PROXY_TRAINEES]
        if len(group) < PROXY_TRAINEES:
            group = [x for x in claims if x["班级编号"] == klass][:PROXY_TRAINEES]
        planted["T210"] = sorted(claims.index(x) + 3 for x in group)
        for x in group:
            x["_proxy_device"] = "M-000417"
            x.update(
                {"线上课时": 10, "线下课时": 28, "总课时": 38, "补贴金额（元）": 10 * 15 + 28 * 30}
            )
            x["培训方式"] = "线上线下融合"
    _plant_lists(claims, take, planted)
    _plant_pairs(claims, take, planted)
    if len(claims) > 20:
        # S306: the same person signed up twice in one class (appended at the end)
        original = claims[5]
        duplicate = dict(original, 申领编号=original["申领编号"] + "-2")
        claims.append(duplicate)
        # the same claim twice is also the same project and the same occupation and level
        # again within a year (SPEC §2: rules are independent)
        for code in ("S306", "S305", "S304"):
            planted[code] = [len(claims) + 2]
        _plant_fourth_training(claims, planted)
    return planted


def _plant_lists(claims: list[dict], take, planted: dict[str, list[int]]) -> None:
    """The problems the reference lists find (providers, catalogue, standards, budget)."""
    if c := take("O401"):  # a provider on no list (a valid credit code)
        c.update({"培训机构": UNREGISTERED[0], "统一社会信用代码": UNREGISTERED[1]})
        c["培训地点"] = UNREGISTERED[2]
    if c := take("O402"):  # disqualified before the training ended
        c.update({"培训机构": DISQUALIFIED[0], "统一社会信用代码": DISQUALIFIED[1]})
        c["培训地点"] = DISQUALIFIED[2]
    if c := take("O403"):
        c["项目编号"] = NOT_IN_CATALOG
    if c := take("O404"):
        c["项目编号"] = WON_BY_NONE
    if c := take("O405"):
        c["培训地点"] = "某某小区会所"  # not a registered site
    if c := take("O406"):  # registered by name without a code; the claim's code is damaged
        body = "52320506MJ58A3411"
        c.update({"培训机构": NO_CODE[0], "培训地点": NO_CODE[2], "统一社会信用代码": body + "0"})
    if c := take("T203"):  # pure online, its project not approved for it
        c.update({"线上课时": 36, "线下课时": 0, "总课时": 36, "补贴金额（元）": 36 * ONLINE_RATE})
        c["培训方式"] = "纯线上"  # (T202's 40 % is not asked of pure online training)
    if c := take("S302"):
        c["职业（工种）"], c["等级"] = LOW_STANDARD[0], LOW_STANDARD[1]
    if c := take("S307"):
        c["项目编号"] = SMALL_BUDGET


def _plant_pairs(claims: list[dict], take, planted: dict[str, list[int]]) -> None:
    """Problems between claims: a number one digit off (P107), a certificate used twice
    (S308), one phone for three trainees (P108); the partner is the next claim."""
    if (c := take("P107")) is not None:
        partner = claims[claims.index(c) + 1]
        body = c["公民身份号码"][:16] + str((int(c["公民身份号码"][16]) + 2) % 10)
        partner.update({"姓名": c["姓名"], "公民身份号码": body + id_check_char(body)})
        planted["P107"].append(claims.index(partner) + 3)
    if (c := take("S308")) is not None:
        partner = claims[claims.index(c) + 1]
        partner["证书编号"] = c["证书编号"]
        planted["S308"].append(claims.index(partner) + 3)
    if (c := take("P108")) is not None:
        first = claims.index(c)
        for other in claims[first : first + 3]:
            other["联系电话"] = SHARED_PHONE
        planted["P108"] = [first + 3, first + 4, first + 5]


def _plant_fourth_training(claims: list[dict], planted: dict[str, list[int]]) -> None:
    """S303: one trainee's fourth subsidised training of the year, appended after three
    more: later months, other classes, projects and occupations (no other rule)."""
    person = claims[1]
    start = person["开班日期"]
    for k in range(1, 4):
        code, occupation, project = OCCUPATIONS[(claims.index(person) + k) % len(OCCUPATIONS)]
        begin = dt.date(start.year, min(12, start.month + 2 * k), 1)
        claims.append(
            dict(
                person,
                申领编号=f"{person['申领编号']}-{k + 1}",
                班级编号=f"BJ2026S303{k}",
                项目编号=f"WDGJ2026-{OCCUPATIONS.index((code, occupation, project)) + 1:03d}",
                培训项目=project,
                **{"职业（工种）": occupation, "等级": LEVELS[k % len(LEVELS)]},
                开班日期=begin,
                结业日期=begin + dt.timedelta(days=13),
                证书编号=f"{person['证书编号']}-{k + 1}",
                _occupation_code=code,
            )
        )
    planted["S303"] = [len(claims) + 2]


def generate_claims(count: int, seed: int = 20260301) -> tuple[list[dict], dict[str, list[int]]]:
    rng = random.Random(seed)
    class_start: dict = {}
    taken: set[str] = set()
    claims = [_claim(rng, i, class_start, taken) for i in range(count)]
    planted = _plant(claims, rng)
    return claims, planted


def attendance_records(
    claims: list[dict], rng: random.Random, session_hours: tuple[int, int] = (4, 2)
) -> list[tuple]:
    """Sessions consistent with the claims: offline `session_hours[0]` class hours a
    morning, online `session_hours[1]` an evening (45 minutes a class hour); planted
    problems per the claim's marks."""
    records = []
    for c in claims:
        start = c.get("_attendance_start", c["开班日期"])
        if not isinstance(start, dt.date) or not isinstance(c["线上课时"], int | float):
            continue
        who, klass = str(c.get("_attendance_id", c["公民身份号码"])), c["班级编号"]
        mine = []
        for mode, hours, per, begin in (
            ("线下", c["线下课时"], session_hours[0], dt.time(8, 30)),
            ("线上", c["线上课时"], session_hours[1], dt.time(19, 0)),
        ):
            per = 6 if mode == "线上" and c.get("_online_binge") else per
            remaining, day = hours, 0
            while remaining > 0:
                step = min(per, remaining)
                sign_in = dt.datetime.combine(start + dt.timedelta(days=day % 12), begin)
                if per == 6:  # two 6-hour online sessions a day
                    at = dt.time(8 if day % 2 == 0 else 15, 0)
                    sign_in = dt.datetime.combine(start + dt.timedelta(days=day // 2), at)
                sign_in += dt.timedelta(minutes=rng.randrange(0, 5))
                sign_out = sign_in + dt.timedelta(minutes=45 * step)
                device = (
                    f"T-{klass}"  # the classroom's sign-in terminal
                    if mode == "线下"
                    else c.get("_proxy_device") or f"M-{int(who[-7:-1]) * 7919 % 999983:06d}"
                )
                mine.append((klass, who, sign_in, sign_out, mode, step, device))
                remaining -= step
                day += 1
        if c.get("_drop_sessions"):
            mine = mine[c["_drop_sessions"] :]
        if c.get("_early_session"):
            k, w, si, so, m, h, d = mine[0]
            mine[0] = (k, w, si - dt.timedelta(days=3), so - dt.timedelta(days=3), m, h, d)
        if c.get("_other_class_overlap"):
            k, w, si, so, m, h, _ = mine[0]
            later = dt.timedelta(hours=1)
            mine.append(("BJ2026-WB-017", w, si + later, so + later, "线下", h, "T-BJ2026-WB-017"))
        records.extend(mine)
    return records


def write_sample(
    out: Path,
    count: int,
    seed: int = 20260301,
    fmt: str = "xlsx",
    with_attendance: bool = True,
    session_hours: tuple[int, int] = (4, 2),
    *,
    title_rows: int = 1,
    serial_column: bool = False,
    attendance_sheets: int | None = None,
    all_references: bool = False,
) -> dict:
    """Write claims (and attendance, and reference lists) into `out`. `title_rows` title
    lines above the header (xlsx); `serial_column` adds a leading 序号 column (25 columns);
    `attendance_sheets` splits the attendance evenly over that many sheets (default: a
    new sheet when one is full); `all_references` writes the catalogue, providers,
    standards and budget lists beside the excluded-persons roster."""
    claims, planted = generate_claims(count, seed)
    rng = random.Random(seed + 1)
    attendance = attendance_records(claims, rng, session_hours) if with_attendance else []
    headers = (("序号",) if serial_column else ()) + CLAIM_HEADERS
    if serial_column:
        for i, c in enumerate(claims, start=1):
            c["序号"] = i
    if fmt in ("csv", "parquet"):
        rows = ([c[h] for h in headers] for c in claims)
        if fmt == "csv":
            write_csv(out / "claims.csv", headers, rows)
            if with_attendance:
                write_csv(out / "attendance.csv", ATTENDANCE_HEADERS, attendance)
        else:
            write_parquet(out / "claims.parquet", headers, list(rows))
            if with_attendance:
                write_parquet(out / "attendance.parquet", ATTENDANCE_HEADERS, attendance)
        # header on the first line: planted rows are one line higher than in the workbook
        return {code: [r - 1 for r in rows] for code, rows in planted.items()}
    shift = title_rows - 1
    planted = {code: [r + shift for r in rows] for code, rows in planted.items()}
    write_claims_xlsx(out / "claims.xlsx", claims, headers, title_rows)
    if with_attendance:
        write_attendance_xlsx(out / "attendance.xlsx", attendance, attendance_sheets)
    write_references(out / "ref", claims)
    if all_references:
        write_other_references(out / "ref")
    else:  # the plants the lists find cannot be found without them
        planted = {c: r for c, r in planted.items() if c not in NEEDS_LISTS}
    return planted


# codes planted that only the reference lists beyond the excluded roster reveal
NEEDS_LISTS = {"O401", "O402", "O403", "O404", "O405", "S302", "S307", "T203"}
