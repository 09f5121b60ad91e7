"""P-rule cases as data (rows override the clean base claim; expected 0-based rows)."""

from __future__ import annotations

from tests.conftest import id_for

VALID = id_for("1990-01-01")
BODY = VALID[:17]
WRONG_CHECK = BODY + ("0" if VALID[17] != "0" else "1")

PERSON_CASES: dict[str, list[tuple[str, list[dict], list[int]]]] = {
    "P101": [
        ("valid number", [{"id_number": VALID}], []),
        ("wrong check digit", [{"id_number": WRONG_CHECK}], [0]),
        ("17 characters", [{"id_number": BODY}], [0]),
        ("letter inside", [{"id_number": "32050A199001011233"}], [0]),
        ("not a province code", [{"id_number": id_for("1990-01-01", region="990101")}], [0]),
        ("impossible birth date", [{"id_number": id_for("1990-02-30")}], [0]),
        ("birth date in the future", [{"id_number": id_for("2031-01-01")}], [0]),
        ("lower-case x is upper-cased", [{"id_number": "34052419800101001x"}], []),
        ("full-width digits and spaces folded", [{"id_number": " ３６０４２６199101010071 "}], []),
        ("15-digit legacy number accepted", [{"id_number": "320502650101123"}], []),
        (
            "retired region code still valid",
            [{"id_number": id_for("1980-05-05", region="320584")}],
            [],
        ),
        ("SIP code 320571 valid", [{"id_number": id_for("1985-01-01", region="320571")}], []),
        ("scientific notation is P102, not P101", [{"id_number": "3.20505E+17"}], []),
    ],
    "P102": [
        ("text number", [{"id_number": VALID}], []),
        ("scientific notation", [{"id_number": "3.20505199001011E+17"}], [0]),
        ("short scientific notation", [{"id_number": "3.20505E+17"}], [0]),
        ("last digits zeros, check fails", [{"id_number": BODY[:15] + "000"}], [0]),
    ],
    "P103": [
        ("aged 36", [{"id_number": id_for("1990-01-01")}], []),
        (
            "16th birthday itself",
            [{"id_number": id_for("2010-03-02"), "start_date": "2026-03-02"}],
            [],
        ),
        (
            "day before the 16th birthday",
            [{"id_number": id_for("2010-03-03"), "start_date": "2026-03-02"}],
            [0],
        ),
        (
            "man born 1965-01-15, day before 60y1m",
            [{"id_number": id_for("1965-01-15"), "start_date": "2025-02-14"}],
            [],
        ),
        (
            "man born 1965-01-15, on 60y1m",
            [{"id_number": id_for("1965-01-15"), "start_date": "2025-02-15"}],
            [0],
        ),
        (
            "man born 1964-12-31 retired at 60",
            [{"id_number": id_for("1964-12-31"), "start_date": "2024-12-31"}],
            [0],
        ),
        (
            "man born 1965-05-31 clamps to 2025-07-31",
            [{"id_number": id_for("1965-05-31"), "start_date": "2025-07-30"}],
            [],
        ),
        (
            "man born 1976-09-01 retires at 63",
            [{"id_number": id_for("1976-09-01"), "start_date": "2039-08-31"}],
            [],
        ),
        (
            "woman 55 track born 1970-05-10, 55y2m",
            [{"id_number": id_for("1970-05-10", male=False), "start_date": "2025-07-09"}],
            [],
        ),
        (
            "woman 55 track on 55y2m",
            [{"id_number": id_for("1970-05-10", male=False), "start_date": "2025-07-10"}],
            [0],
        ),
        (
            "woman born 1970-01-01, the day before 55y1m",
            [{"id_number": id_for("1970-01-01", male=False), "start_date": "2025-01-31"}],
            [],
        ),
        ("invalid number is not judged", [{"id_number": "32050519400101123"}], []),
        (
            "empty start date is not judged",
            [{"id_number": id_for("1940-01-01"), "start_date": None}],
            [],
        ),
    ],
    "P105": [
        (
            "four eligible categories",
            [
                {"category": "本市户籍"},
                {"category": "居住证"},
                {"category": "毕业年度高校毕业生", "graduation_date": "2026-06-30"},
                {"category": "离校2年内未就业高校毕业生", "graduation_date": "2025-06-30"},
            ],
            [],
        ),
        (
            "aliases folded",
            [
                {"category": "户籍"},
                {"category": "持本市居住证"},
                {
                    "category": "离校两年内未就业高校毕业生（含技师学院）",
                    "graduation_date": "2025-06-30",
                },
            ],
            [],
        ),
        ("category missing", [{"category": None}], [0]),
        ("not an eligible group", [{"category": "在校生"}], [0]),
        ("graduate without a graduation date", [{"category": "毕业年度高校毕业生"}], [0]),
        (
            "graduating-year graduate of the previous year",
            [{"category": "毕业年度高校毕业生", "graduation_date": "2025-06-30"}],
            [0],
        ),
        (
            "graduating-year graduate training before graduation",
            [{"category": "毕业年度高校毕业生", "graduation_date": "2026-12-31"}],
            [],
        ),
        (
            "left school exactly 2 years before the start",
            [{"category": "离校2年内未就业高校毕业生", "graduation_date": "2024-03-02"}],
            [],
        ),
        (
            "left school 2 years and a day before",
            [{"category": "离校2年内未就业高校毕业生", "graduation_date": "2024-03-01"}],
            [0],
        ),
        (
            "unreadable graduation date is D002, not P105",
            [{"category": "毕业年度高校毕业生", "graduation_date": "六月"}],
            [],
        ),
    ],
    "P106": [
        ("one name", [{}, {"class_id": "C2"}], []),
        ("another name for the same number", [{}, {"name": "李四", "class_id": "C2"}], [0, 1]),
        (
            "white space inside a name is not a different name",
            [{"name": "王伟"}, {"name": "王　伟", "class_id": "C2"}],
            [],
        ),
        ("different numbers, same name", [{}, {"id_number": id_for("1991-01-01")}], []),
    ],
}
