"""The RFM arithmetic against pandas' own quintiles, and the segment map."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from services.crm import rfm


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 10, 11, 99, 1000, 2357, 23570])
def test_quintile_edges_are_pandas_edges_to_the_last_bit(n):
    rng = random.Random(n)
    ranks = np.arange(1, n + 1, dtype=float)
    assert rfm.rank_edges(n) == list(pd.Series(ranks).quantile(np.linspace(0, 1, 6)).to_numpy()[1:5])
    values = sorted(rng.choice([0, 1, 5, 7, 12, 99, 1234]) + rng.random() * rng.choice([0, 1]) for _ in range(n))
    expected = list(pd.Series(values).quantile(np.linspace(0, 1, 6)).to_numpy()[1:5])
    assert rfm.edges_of({i: values[i] for i in rfm.needed_indexes(n)}, n) == expected


def test_bins_are_qcut_bins():
    values = pd.Series([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4], dtype=float)
    edges = list(values.quantile(np.linspace(0, 1, 6)).to_numpy()[1:5])
    if len(set(edges)) == 4:
        expected = pd.qcut(values, 5, labels=[1, 2, 3, 4, 5]).astype(int).tolist()
        assert [rfm.bin_of(v, edges) for v in values] == expected
    ranks = values.rank(method="first")
    expected = pd.qcut(ranks, 5, labels=[1, 2, 3, 4, 5]).astype(int).tolist()
    assert [rfm.bin_of(r, rfm.rank_edges(len(values))) for r in ranks] == expected


def test_the_segment_map_covers_every_cell_once_with_the_usual_names():
    assert {s.code for s in rfm.segments()} == {
        "champions", "loyal", "potential_loyalists", "new", "promising", "need_attention", "about_to_sleep",
        "at_risk", "cant_lose", "hibernating",
    }  # fmt: skip
    cases = {(5, 5): "champions", (5, 1): "new", (4, 1): "promising", (3, 3): "need_attention",
             (3, 1): "about_to_sleep", (1, 3): "at_risk", (2, 5): "cant_lose", (1, 1): "hibernating",
             (4, 4): "loyal", (4, 2): "potential_loyalists"}  # fmt: skip
    for (r, f), code in cases.items():
        assert rfm.segment_of(r, f) == code
    assert rfm.segment_of(None, 3) is None


def test_scores_reverse_recency():
    edges = {"recency": [10, 20, 30, 40], "frequency_rank": [2, 4, 6, 8], "monetary": [100, 200, 300, 400]}
    assert rfm.scores(5, 9, 450, edges) == (5, 5, 5)
    assert rfm.scores(41, 1, 100, edges) == (1, 1, 1)  # on an edge: the lower bin
