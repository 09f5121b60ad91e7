"""Attendance forensics T205-T207, T209: flagged, clean and boundary cases."""

from __future__ import annotations

import pytest

from tests.conftest import BASE_CLAIM, attendance_inputs, flagged
from wudi_audit.checks import REGISTRY
from wudi_audit.checks.engine import applicable

WHO, CLASS = BASE_CLAIM["id_number"], BASE_CLAIM["class_id"]  # class 2026-03-02 … 03-15


def rec(start: str, end: str, mode: str = "线下", klass: str = CLASS, **extra) -> dict:
    return {
        "class_id": klass,
        "id_number": WHO,
        "sign_in": start,
        "sign_out": end,
        "mode": mode,
        **extra,
    }


def full_attendance() -> list[dict]:
    """Exactly the base claim: 21 offline + 14 online class hours (45 minutes each)."""
    records = [rec(f"2026-03-0{d} 08:00", f"2026-03-0{d} 13:15") for d in (2, 3, 4)]  # 7 h x3
    records += [rec(f"2026-03-0{d} 19:00", f"2026-03-0{d} 20:30", "线上") for d in range(2, 9)]
    return records  # online: 2 h x 7 = 14


ATTENDANCE_CASES = {
    "T205": [
        ("attendance exactly matches", [{}], full_attendance(), []),
        ("no attendance at all for a claim", [{}, {"class_id": "C9"}], full_attendance(), [1]),
        (
            "offline short by exactly the tolerance (22.5 min)",
            [{}],
            [rec("2026-03-02 08:00", "2026-03-02 12:52:30"), *full_attendance()[1:]],
            [],
        ),
        (
            "offline short by more than the tolerance",
            [{}],
            [rec("2026-03-02 08:00", "2026-03-02 12:50"), *full_attendance()[1:]],
            [0],
        ),
        (
            "extra online hours never offset missing offline hours",
            [{}],
            [*full_attendance()[1:], rec("2026-03-09 19:00", "2026-03-09 23:00", "线上")],
            [0],
        ),
        (
            "the hours column wins over the duration",
            [{}],
            [dict(r, hours="0.5") if i == 0 else r for i, r in enumerate(full_attendance())],
            [0],
        ),
        (
            "records of another person do not count",
            [{}],
            [dict(r, id_number="110101199003070011") for r in full_attendance()],
            [0],
        ),
    ],
    "T206": [
        ("one class only", [{}], full_attendance(), []),
        (
            "touching intervals in two classes do not overlap",
            [{}],
            [
                rec("2026-03-02 09:00", "2026-03-02 10:00"),
                rec("2026-03-02 10:00", "2026-03-02 11:00", klass="X"),
            ],
            [],
        ),
        (
            "overlap with a class that has no claim",
            [{}],
            [
                rec("2026-03-02 09:00", "2026-03-02 10:00"),
                rec("2026-03-02 09:59", "2026-03-02 11:00", klass="X"),
            ],
            [0],
        ),
        (
            "both claims flagged when both are in the batch",
            [{}, {"class_id": "C2"}],
            [
                rec("2026-03-02 09:00", "2026-03-02 12:00"),
                rec("2026-03-02 10:00", "2026-03-02 11:00", klass="C2"),
            ],
            [0, 1],
        ),
        (
            "online and offline overlap counts",
            [{}],
            [
                rec("2026-03-02 09:00", "2026-03-02 12:00"),
                rec("2026-03-02 11:00", "2026-03-02 13:00", "线上", klass="X"),
            ],
            [0],
        ),
        (
            "same class overlapping itself is not T206",
            [{}],
            [
                rec("2026-03-02 09:00", "2026-03-02 12:00"),
                rec("2026-03-02 10:00", "2026-03-02 11:00"),
            ],
            [],
        ),
        (
            "overlap hidden behind a long same-class record",
            [{}, {"class_id": "B"}],
            [
                rec("2026-03-02 08:00", "2026-03-02 18:00", klass="A"),
                rec("2026-03-02 09:00", "2026-03-02 10:00"),
                rec("2026-03-02 09:30", "2026-03-02 09:45", klass="B"),
            ],
            [0, 1],
        ),
    ],
    "T207": [
        ("inside the class dates", [{}], full_attendance(), []),
        (
            "on the first and last day",
            [{}],
            [
                rec("2026-03-02 08:00", "2026-03-02 09:00"),
                rec("2026-03-15 08:00", "2026-03-15 09:00"),
            ],
            [],
        ),
        ("a day before the start", [{}], [rec("2026-03-01 08:00", "2026-03-01 09:00")], [0]),
        ("signed out after the end date", [{}], [rec("2026-03-15 23:00", "2026-03-16 00:30")], [0]),
    ],
    "T209": [
        (
            "exactly 8 online hours on a day",
            [{}],
            [rec("2026-03-02 08:00", "2026-03-02 14:00", "线上")],
            [],
        ),
        (
            "more than 8 online hours on a day",
            [{}],
            [rec("2026-03-02 08:00", "2026-03-02 14:01", "线上")],
            [0],
        ),
        (
            "9 offline hours are not online study",
            [{}],
            [rec("2026-03-02 08:00", "2026-03-02 14:45")],
            [],
        ),
        (
            "a day's hours across two classes count together",
            [{}],
            [
                rec("2026-03-02 08:00", "2026-03-02 11:00", "线上"),
                rec("2026-03-02 12:00", "2026-03-02 16:00", "线上", klass="X"),
            ],
            [0],
        ),
        (
            "a record counts on its sign-in date",
            [{}],
            [
                rec("2026-03-02 20:00", "2026-03-03 02:00", "线上"),
                rec("2026-03-03 08:00", "2026-03-03 12:00", "线上"),
            ],
            [],
        ),
    ],
}

PARAMS = [
    pytest.param(code, claims, records, expected, id=f"{code}-{name}")
    for code, cases in ATTENDANCE_CASES.items()
    for name, claims, records, expected in cases
]


@pytest.mark.parametrize(("code", "claims", "records", "expected"), PARAMS)
def test_attendance_case(code, claims, records, expected):
    result = flagged(code, attendance_inputs(claims, records))
    assert sorted(result["source_row"].to_list()) == [i + 2 for i in expected]
    assert result["message_zh"].null_count() == 0 and result["message_en"].null_count() == 0


def test_t205_message_and_money_at_stake():
    records = [rec("2026-03-02 08:00", "2026-03-02 10:15"), *full_attendance()[1:]]  # 3 of 7 h
    result = flagged("T205", attendance_inputs([{}], records))
    assert (
        result["message_zh"].item() == "线下：申领 21 课时，考勤认定 17 课时，差 4 课时 > 容差 0.5"
    )
    assert result["amount_at_stake_fen"].item() == 4 * 3000


def test_t205_without_mode_compares_totals():
    records = [dict(r, mode=None) for r in full_attendance()]
    assert flagged("T205", attendance_inputs([{}], records, fields=())).height == 0
    short = [dict(r, mode=None) for r in full_attendance()[1:]]
    result = flagged("T205", attendance_inputs([{}], short, fields=()))
    assert result["message_zh"].item().startswith("合计：申领 35 课时，考勤认定 28 课时")


def test_t206_evidence_names_the_other_class_and_both_ranges():
    records = [
        rec("2026-03-02 09:00", "2026-03-02 10:00"),
        rec("2026-03-02 09:30", "2026-03-02 11:00", klass="X"),
    ]
    evidence = flagged("T206", attendance_inputs([{}], records))["evidence"].item()
    assert '"other_class":"X"' in evidence
    assert '"this_range":["2026-03-02 09:00","2026-03-02 10:00"]' in evidence
    assert '"other_range":["2026-03-02 09:30","2026-03-02 11:00"]' in evidence


def test_t209_needs_a_mode_column():
    inputs = attendance_inputs([{}], full_attendance(), fields=())
    ok, (zh, en) = applicable(REGISTRY["T209"], inputs)
    assert not ok and "方式" in zh and "mode" in en


def test_attendance_rules_not_run_without_attendance():
    from tests.conftest import claims_inputs

    for code in ("T205", "T206", "T207"):
        ok, (zh, _) = applicable(REGISTRY[code], claims_inputs([{}]))
        assert not ok and "考勤记录" in zh


def test_t206_sweep_matches_a_brute_force_pairwise_check():
    """On random records, the sort-and-sweep finds exactly the (person, class) pairs a
    quadratic pairwise comparison finds."""
    import datetime as dt
    import random

    import polars as pl

    from tests.conftest import attendance_frame
    from wudi_audit.checks.attendance_sharing import overlapping_classes

    rng = random.Random(206)
    people = [f"11010119900307{i:03d}1" for i in range(12)]
    records = []
    for _ in range(400):
        start = dt.datetime(2026, 3, 2, 8) + dt.timedelta(minutes=15 * rng.randrange(0, 40))
        end = start + dt.timedelta(minutes=15 * rng.randrange(1, 8))
        records.append(
            {
                "class_id": rng.choice("ABCDE"),
                "id_number": rng.choice(people),
                "sign_in": f"{start:%Y-%m-%d %H:%M}",
                "sign_out": f"{end:%Y-%m-%d %H:%M}",
            }
        )
    frame = attendance_frame(records)
    swept = overlapping_classes(frame.lazy()).select("id_number", "class_id").unique().collect()
    got = set(swept.iter_rows())
    rows = frame.select("id_number", "class_id", "sign_in", "sign_out").rows()
    expected = {
        (a[0], a[1])
        for a in rows
        for b in rows
        if a[0] == b[0] and a[1] != b[1] and a[2] < b[3] and b[2] < a[3]
    }
    assert got == expected and len(expected) > 10
    assert isinstance(swept, pl.DataFrame)


def device_records(people: int, spacing_minutes: int, device: str = "D-017") -> list[dict]:
    import datetime as dt

    start = dt.datetime(2026, 3, 2, 8, 0)
    out = []
    for i in range(people):
        at = start + dt.timedelta(minutes=spacing_minutes * i)
        who = BASE_CLAIM["id_number"] if i == 0 else f"11010119900307{i:03d}1"
        out.append(
            {
                "class_id": CLASS,
                "id_number": who,
                "device": device,
                "mode": "线上",
                "sign_in": f"{at:%Y-%m-%d %H:%M}",
                "sign_out": f"{at:%Y-%m-%d} 11:00",
            }
        )
    return out


@pytest.mark.parametrize(
    ("people", "spacing", "flag"),
    [
        (3, 1, False),  # three trainees on one device: the maximum allowed
        (4, 1, True),  # a fourth within the window
        (4, 3, True),  # 0, 3, 6, 9 minutes: all within 10
        (4, 4, False),  # 0, 4, 8, 12: never four within 10 minutes
    ],
)
def test_t210_device_shared_by_many(people, spacing, flag):
    inputs = attendance_inputs([{}], device_records(people, spacing), fields=("mode", "device"))
    result = flagged("T210", inputs)
    assert result.height == (1 if flag else 0)
    if flag:
        assert '"device":"D-017"' in result["evidence"].item()


def test_t210_needs_a_device_column():
    inputs = attendance_inputs([{}], device_records(5, 1), fields=("mode",))
    assert not applicable(REGISTRY["T210"], inputs)[0]


def test_attendance_matching_no_claim_is_counted():
    from wudi_audit.checks.engine import attendance_counts

    records = [
        *full_attendance(),
        rec("2026-03-02 08:00", "2026-03-02 09:00", klass="ZZ"),
        rec(None, None, klass="ZZ"),
    ]
    counts = attendance_counts(attendance_inputs([{}], records))
    assert counts == {"records": len(records), "without_claim": 2, "unreadable": 1}


def test_t210_classroom_terminal_is_not_a_proxy_sign():
    offline = [dict(r, mode="线下") for r in device_records(8, 1)]
    inputs = attendance_inputs([{}], offline, fields=("mode", "device"))
    assert flagged("T210", inputs).height == 0
    inputs = attendance_inputs([{}], offline, fields=("device",))  # no mode: all count
    assert flagged("T210", inputs).height == 1


def test_t205_zero_hours_claim_without_records_or_modes():
    inputs = attendance_inputs(
        [{"online_hours": "0", "offline_hours": "0", "amount": "0"}, {"class_id": "C2"}],
        [dict(r, mode=None, class_id="C2") for r in full_attendance()],
        fields=(),
    )
    result = flagged("T205", inputs)
    assert result["source_row"].to_list() == [2]
    assert result["amount_at_stake_fen"].to_list() == [0]


def test_attendance_keys_line_up_with_the_records_and_leave_out_other_persons():
    """checks/attendance_keys.py: each record keeps its place; a person the batch does not
    claim for has no key, a class without a claim has one (T206, T209 count it)."""
    from wudi_audit.checks.attendance_keys import CLASS as KEY_CLASS
    from wudi_audit.checks.attendance_keys import PERSON, keyed, keyed_records

    stranger = "11010119900307001X"
    records = [
        *full_attendance(),
        rec("2026-03-02 08:00", "2026-03-02 09:00", klass="ZZ"),
        rec("2026-03-02 08:00", "2026-03-02 09:00", id_number=stranger),
    ]
    inputs = attendance_inputs([{}, {"class_id": "C2"}], records)
    keys = keyed(inputs)
    assert keyed(inputs) is keys  # worked out once
    assert keys.records.select(inputs.attendance.columns).equals(inputs.attendance)
    person = keys.records[PERSON].to_list()
    assert person[-1] is None and None not in person[:-1]
    assert keys.records[KEY_CLASS].null_count() == 0
    assert keys.records[KEY_CLASS][-2] != keys.records[KEY_CLASS][0]  # ZZ is its own class
    assert keys.claims[PERSON].n_unique() == 1 and keys.claims[KEY_CLASS].n_unique() == 2
    assert keyed_records(keys).collect().height == len(records) - 1


def test_a_run_of_the_rules_works_the_keys_out_afresh():
    from wudi_audit.checks.engine import run_rules
    from wudi_audit.rules.pack import load_rule_pack

    inputs = attendance_inputs([{}], full_attendance())
    first = run_rules(inputs, load_rule_pack())
    assert inputs.derived == {}  # nothing held after the run
    inputs.attendance = inputs.attendance.head(3)  # most hours gone: T205
    second = run_rules(inputs, load_rule_pack())
    assert "T205" not in first.exceptions["code"].to_list()
    assert "T205" in second.exceptions["code"].to_list()
