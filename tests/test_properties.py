"""Every normaliser, on any text: a value or a UserInputError, never another exception."""

from __future__ import annotations

import contextlib

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from wudi_audit.errors import UserInputError
from wudi_audit.facts import idnumber
from wudi_audit.facts.text import fold_text
from wudi_audit.normalise.table import parse_date, parse_datetime, parse_number
from wudi_audit.read import ole
from wudi_audit.schema.words import clean_header, money_unit

TEXT = st.text(max_size=40) | st.from_regex(r"[0-9年月日./\-: ]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), max_size=20))
def test_column_normalisers_never_raise(values):
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    out = frame.select(
        fold_text(pl.col("v")).alias("text"),
        parse_date(pl.col("v")).alias("date"),
        parse_datetime(pl.col("v")).alias("datetime"),
        parse_number(pl.col("v")).alias("number"),
        idnumber.normalize_id(pl.col("v")).alias("id"),
    )
    assert out.height == len(values)
    assert out["date"].dtype == pl.Date and out["number"].dtype == pl.Float64


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), TEXT, st.integers()))
def test_header_folding_never_raises(value):
    cleaned = clean_header(value)  # issue 19: the cleaning that replaced fold_header
    assert isinstance(cleaned.text, str)
    unit = money_unit(cleaned.groups)
    assert unit is None or isinstance(unit, str) or unit.factor in (1, 10_000)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=4096))
def test_xls_check_on_any_bytes_is_a_value_or_a_user_error(tail):
    content = ole.OLE_MAGIC + tail
    with contextlib.suppress(UserInputError):
        ole.check_xls(content, "x.xls")


ID_TEXT = TEXT | st.from_regex(r"[0-9Xx*\s]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), ID_TEXT), max_size=20))
def test_identity_columns_on_any_text_are_values(values):
    """The whole identity path — normalise, legacy upgrade, validity, birth date, sex —
    gives a value (or null) for any text, never an exception."""
    import datetime as dt

    frame = pl.DataFrame({"id_number": values}, schema={"id_number": pl.String})
    folded = frame.with_columns(idnumber.normalize_id_series(frame["id_number"]))
    out = folded.with_columns(
        idnumber.upgrade_legacy15(pl.col("id_number")).alias("id_number"),
        pl.lit(False).alias("id_damaged"),
    ).with_columns(idnumber.identity_columns(pl.col("id_number"), dt.date(2026, 12, 1)))
    assert out.height == len(values)
    valid = out.filter(pl.col("id_invalid").is_null() & pl.col("id_number").is_not_null())
    assert valid["id_number"].str.len_chars().eq(18).all()
