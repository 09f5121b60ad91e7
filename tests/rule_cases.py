"""Per-rule cases as data: each case is a batch (rows override the clean base claim) and
the 0-based rows expected to be flagged. One generic test runs them all."""

from __future__ import annotations


def _near(number: str, **fields: str) -> dict:
    """Another claim, in another class, under `number` (check character as given)."""
    return {"id_number": number, "class_id": "BJ2026NEAR", **fields}


def _phoned(n: int, phone: str, **fields: str) -> dict:
    """Trainee n (a number of their own, a name of their own) with this phone."""
    from tests.conftest import id_for

    return {
        "id_number": id_for("1990-01-01", serial=n + 1),
        "name": f"学员{n}",
        "phone": phone,
        **fields,
    }


def _training(n: int, start: str = "2026-03-02", end: str | None = "2026-05-03") -> dict:
    """The same person in class n of a different project (so only S303 counts them)."""
    return {
        "class_id": f"BJ2026{n:05d}",
        "project_code": f"WDGJ2026-1{n:02d}",
        "start_date": start,
        "end_date": end,
    }


CASES: dict[str, list[tuple[str, list[dict], list[int]]]] = {
    "D001": [
        ("clean base claim", [{}], []),
        ("empty name", [{"name": None}], [0]),
        ("empty identity number", [{"id_number": " "}], [0]),
        (
            "empty online hours with offline filled counts as 0",
            [{"online_hours": None, "offline_hours": "35"}],
            [],
        ),
        ("empty offline hours with online filled counts as 0", [{"offline_hours": None}], []),
        ("both hours empty", [{"online_hours": None, "offline_hours": None}], [0]),
        ("empty assessment is T204, not D001", [{"assessment": None}], []),
        ("empty amount and empty end date on one row", [{"amount": None, "end_date": None}], [0]),
    ],
    "D002": [
        (
            "every accepted date form",
            [
                {"start_date": "2026/3/2"},
                {"start_date": "2026.3.2"},
                {"start_date": "2026年3月2日"},
                {"start_date": "20260302"},
                {"start_date": "2026-03-02 00:00:00"},
                {"start_date": "46083"},
            ],
            [],
        ),
        ("impossible date", [{"end_date": "2026-02-30"}], [0]),
        ("text in the amount", [{"amount": "八百四十"}], [0]),
        ("numeric text with a thousands separator", [{"amount": "1,050.00"}], []),
        ("unknown assessment value", [{"assessment": "优秀"}], [0]),
        ("unknown training mode", [{"mode": "函授"}], [0]),
        ("known modes", [{"mode": "线上线下融合"}, {"mode": "纯线上"}, {"mode": "线下"}], []),
    ],
    "D003": [
        ("zero hours are fine", [{"online_hours": "0", "offline_hours": "35"}], []),
        ("negative amount", [{"amount": "-1"}], [0]),
        ("negative offline hours", [{"offline_hours": "-21"}], [0]),
        ("infinite hours", [{"online_hours": "inf"}], [0]),
        ("NaN amount", [{"amount": "NaN"}], [0]),
        # only cells prepared as negative or missing are parsed again: each field once
        ("negative total hours alone", [{"total_hours": "-1"}], [0]),
        ("negative hours written with their unit", [{"offline_hours": "-21课时"}], [0]),
        ("minus zero is not negative", [{"amount": "-0"}], []),
        ("infinite amount with a yuan sign", [{"amount": "￥inf"}], [0]),
        ("one negative claim among clean ones", [{}, {"online_hours": "-0.01"}, {}], [1]),
    ],
    "T201": [
        ("exactly 35 hours", [{}], []),
        ("34.5 hours", [{"online_hours": "13.5"}], [0]),
        ("only offline, 35", [{"online_hours": None, "offline_hours": "35"}], []),
        ("only offline, 34", [{"online_hours": None, "offline_hours": "34"}], [0]),
        ("unreadable hours are not judged", [{"online_hours": "abc"}], []),
    ],
    "T202": [
        ("exactly 40 % online", [{}], []),
        ("15 / 35 online", [{"online_hours": "15", "offline_hours": "20"}], [0]),
        (
            "20 / 40 declared blended",
            [{"online_hours": "20", "offline_hours": "20", "mode": "融合"}],
            [0],
        ),
        (
            "pure online declared is T203's business",
            [{"online_hours": "35", "offline_hours": "0", "mode": "纯线上"}],
            [],
        ),
        (
            "all online, no mode given: pure online",
            [{"online_hours": "35", "offline_hours": None}],
            [],
        ),
        ("fractional boundary 16 / 40", [{"online_hours": "16", "offline_hours": "24"}], []),
    ],
    "T204": [
        (
            "passed",
            [
                {"assessment": "合格"},
                {"assessment": "通过"},
                {"assessment": "是"},
                {"assessment": "pass"},
            ],
            [],
        ),
        (
            "failed",
            [
                {"assessment": "不合格"},
                {"assessment": "缺考"},
                {"assessment": "否"},
                {"assessment": "FAIL"},
            ],
            [0, 1, 2, 3],
        ),
        ("empty assessment", [{"assessment": None}], [0]),
        ("unreadable assessment is D002, not T204", [{"assessment": "优秀"}], []),
    ],
    "T208": [
        ("no total given", [{}], []),
        ("total agrees", [{"total_hours": "35"}], []),
        ("total disagrees", [{"total_hours": "36"}], [0]),
        (
            "total agrees with an empty hours cell as 0",
            [{"online_hours": None, "offline_hours": "35", "total_hours": "35"}],
            [],
        ),
    ],
    "S301": [
        ("amount equal to the cap to the fen", [{}], []),
        ("one fen above the cap", [{"amount": "840.01"}], [0]),
        ("well below the cap", [{"amount": "100"}], []),
        (
            "fractional hours at the cap",
            [{"online_hours": "14.5", "offline_hours": "20.5", "amount": "832.5"}],
            [],
        ),
        (
            "fractional hours one fen over",
            [{"online_hours": "14.5", "offline_hours": "20.5", "amount": "832.51"}],
            [0],
        ),
    ],
    "S306": [
        ("one claim", [{}], []),
        ("same person twice in one class", [{}, {}], [1]),
        ("same person, other class", [{}, {"class_id": "BJ202600002"}], []),
        ("three times: the first stands", [{}, {}, {}], [1, 2]),
        ("earlier end date stands even on a later row", [{"end_date": "2026-03-20"}, {}], [0]),
    ],
    # A returned claim sent again is known only from the ledger's decisions: through the
    # command line with real ledgers in tests/test_decisions.py.
    "S309": [
        ("no ledger: nothing was returned", [{}, {}], []),
        ("the same claim twice in the batch is S306, not S309", [{}, {}], []),
    ],
    # Batch-only cases; the ledger's part is in tests/test_history_rules.py.
    "S303": [
        ("three trainings in a year", [_training(i) for i in range(3)], []),
        ("the 4th training in a year", [_training(i) for i in range(4)], [3]),
        (
            "the 4th by end date, not by row",
            [_training(3, end="2026-06-01"), _training(0), _training(1), _training(2)],
            [0],
        ),
        (
            "same end date: the start date decides",
            [
                _training(0),
                _training(1),
                _training(2, start="2026-03-05"),
                _training(3, start="2026-03-04", end="2026-05-03"),
            ],
            [2],
        ),
        (
            "same end and start date: the source row decides",
            [_training(0), _training(1), _training(2), _training(3, end="2026-05-03")],
            [3],
        ),
        (
            "four trainings over two calendar years",
            [_training(0, end="2025-12-31"), _training(1), _training(2), _training(3)],
            [],
        ),
        (
            "a claim without an end date counts towards no year",
            [_training(0, end=None), _training(1), _training(2), _training(3)],
            [],
        ),
    ],
    "S305": [
        ("same project, other person", [{}, {"id_number": "11010519491231002X"}], []),
        ("same project again on day 365", [{}, {"class_id": "B2", "end_date": "2027-03-15"}], [1]),
        ("same project again on day 366", [{}, {"class_id": "B2", "end_date": "2027-03-16"}], []),
        (
            "the first by end date stands",
            [{"class_id": "B2", "end_date": "2026-09-01"}, {}],
            [0],
        ),
        ("other project", [{}, {"class_id": "B2", "project_code": "WDGJ2026-002"}], []),
        ("unreadable end date is not judged", [{}, {"class_id": "B2", "end_date": "x"}], []),
    ],
    # Near-duplicate identity numbers: the base claim's number 320505199001011233.
    "P107": [
        ("one substitution, fresh check character", [{}, _near("320505199001011243")], [0, 1]),
        ("one adjacent swap", [{}, _near("320505199010011238")], [0, 1]),
        ("same first 17, other check character", [{}, _near("320505199001011234")], []),
        ("two positions apart", [{}, _near("320505199001012243")], []),
        ("one edit apart, other name", [{}, _near("320505199001011243", name="李四")], []),
        (
            "name differs only in white space",
            [{}, _near("320505199001011243", name="张 三")],
            [0, 1],
        ),
    ],
    # One phone for several trainees (SPEC §2 P108): the default pack's least is 3.
    "P108": [
        ("2 trainees on one phone", [_phoned(1, "13812345678"), _phoned(2, "13812345678")], []),
        (
            "3 trainees on one phone: every claim of it",
            [_phoned(1, "13812345678"), _phoned(2, "13812345678"), _phoned(3, "13812345678")],
            [0, 1, 2],
        ),
        (
            "the same trainee twice is one person",
            [
                _phoned(1, "13812345678"),
                _phoned(1, "13812345678", class_id="B9"),
                _phoned(2, "13812345678"),
            ],
            [],
        ),
        (
            "+86, spaces and dashes are the same number",
            [
                _phoned(1, "+86 138-1234-5678"),
                _phoned(2, "138 1234 5678"),
                _phoned(3, "8613812345678"),
            ],
            [0, 1, 2],
        ),
        (
            "placeholders and short numbers never match",
            [
                _phoned(n, p)
                for n, p in enumerate(["00000000", "00000000", "00000000", "123", "123", "123"])
            ],
            [],
        ),
        ("empty cells never match", [_phoned(n, "") for n in range(4)], []),
    ],
}
