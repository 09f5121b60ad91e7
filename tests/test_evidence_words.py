"""P107's near numbers put into words by Polars (report/evidence.py,
`near_numbers_in_words`) say exactly what `evidence_in_words` says of the same
evidence, in both languages; any other text is left to `evidence_in_words`."""

from __future__ import annotations

import json

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from wudi_audit.report.evidence import (
    evidence_column,
    evidence_in_words,
    near_numbers_in_words,
)

TEXT = st.text(alphabet=st.sampled_from('320505X（）“”, 、批次第行abc"\\'), max_size=8)
RECORD = st.fixed_dictionaries(
    {
        "id_number": st.one_of(st.none(), TEXT, st.just("320505199001011234")),
        "batch_id": st.one_of(st.none(), st.just(""), TEXT, st.just("2026第3批")),
        "source_row": st.one_of(st.none(), st.integers(0, 10**7)),
    }
)
NEAR = st.fixed_dictionaries(
    {"other_numbers": st.lists(RECORD, min_size=0, max_size=12), "other_claims": st.integers(0, 99)}
)


def as_the_expander_writes(evidence: list[dict]) -> pl.Series:
    """JSON text as P107's expander makes it: Polars' struct encoding."""
    frame = pl.DataFrame(
        evidence,
        schema={
            "other_numbers": pl.List(
                pl.Struct({"id_number": pl.String, "batch_id": pl.String, "source_row": pl.Int64})
            ),
            "other_claims": pl.Int64,
        },
    )
    return frame.select(pl.struct(pl.all()).struct.json_encode()).to_series().alias("evidence")


OTHER = st.sampled_from(
    [
        '{"other_numbers":[{"id_number":"1","batch_id":null,"source_row":2}],"other_claims":1,'
        '"other_names":["王伟"]}',  # another key: Python's words
        '{"other_numbers": [{"id_number": "1", "batch_id": null, "source_row": 2}]}',  # masked
        '{"other_numbers":[{"id_number":"1","batch_id":null,"source_row":"x"}],"other_claims":1}',
        '{"earlier_source_row": 4}',
        '{"budget": 1000.5, "key": "吴江区", "running_total": 2000}',
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(NEAR, min_size=1, max_size=6),
    st.lists(OTHER, max_size=3),
    st.sampled_from(["zh", "en"]),
)
def test_near_numbers_in_words_are_the_words_of_evidence_in_words(near, other, lang):
    texts = pl.concat([as_the_expander_writes(near), pl.Series("evidence", other, dtype=pl.String)])
    texts = pl.concat([texts, pl.Series("evidence", [None], dtype=pl.String)])
    expected = [None if t is None else evidence_in_words(json.loads(t), lang) for t in texts]
    fast = near_numbers_in_words(texts, lang).to_list()
    for got, want in zip(fast, expected, strict=True):
        assert got is None or got == want
    assert evidence_column(texts, lang).to_list() == expected


def test_the_batch_shape_is_put_into_words_by_polars():
    """The evidence P107 gives (every number and row known) takes the fast path."""
    near = [
        {
            "other_numbers": [
                {"id_number": f"32050519900101{i:04d}", "batch_id": b, "source_row": i}
                for i, b in zip(range(7), [None, "", "2025第1批"] * 3, strict=False)
            ],
            "other_claims": 7,
        }
    ]
    texts = as_the_expander_writes(near)
    zh = near_numbers_in_words(texts, "zh").item()
    assert zh == (
        "相近号码：320505199001010000（本批次第 0 行）、320505199001010001（本批次第 1 行）、"
        "320505199001010002（台账批次“2025第1批”第 2 行）、320505199001010003（本批次第 3 行）、"
        "320505199001010004（本批次第 4 行） 等 7 项"
    )
    en = near_numbers_in_words(texts, "en").item()
    assert en.startswith("near numbers: 320505199001010000 (batch row 0), ")
    assert en.endswith(" and 2 more")
    assert "(ledger batch 2025第1批 row 2)" in en
