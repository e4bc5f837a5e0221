"""Every cell of both WWC attrition boundaries, pinned independently of the module (SPEC 3.7).

Source: What Works Clearinghouse, Standards Handbook Version 4.1 (January 2020), Table II.1
"Highest differential attrition rate for a sample to maintain low attrition, by overall
attrition rate, under 'optimistic' and 'cautious' assumptions" (p. 10 of the 508-compliant
PDF, WWC-Standards-Handbook-v4-1-508.pdf); the same table appears in Version 5.0 (2022).
The values below were typed from SPEC 3.7, which transcribes that table, and agree cell for
cell with an independent public transcription of Table II.1 (an R package's
``.wwc_attrition_table``). They are literals here, not imported, so that changing any cell
in ``evidencekit.stats.attrition`` fails this file.
"""

from __future__ import annotations

import pytest

from evidencekit.stats import CAUTIOUS_BOUNDARY, OPTIMISTIC_BOUNDARY, attrition, attrition_verdict

# overall attrition (%) -> (cautious, optimistic) highest differential (percentage points);
# None: beyond the cautious table (58% and above is high attrition whatever the differential).
TABLE_II_1: dict[int, tuple[float | None, float]] = {
    0: (5.7, 10.0), 1: (5.8, 10.1), 2: (5.9, 10.2), 3: (5.9, 10.3), 4: (6.0, 10.4),
    5: (6.1, 10.5), 6: (6.2, 10.7), 7: (6.3, 10.8), 8: (6.3, 10.9), 9: (6.3, 10.9),
    10: (6.3, 10.9), 11: (6.2, 10.9), 12: (6.2, 10.9), 13: (6.1, 10.8), 14: (6.0, 10.8),
    15: (5.9, 10.7), 16: (5.9, 10.6), 17: (5.8, 10.5), 18: (5.7, 10.3), 19: (5.5, 10.2),
    20: (5.4, 10.0), 21: (5.3, 9.9), 22: (5.2, 9.7), 23: (5.1, 9.5), 24: (4.9, 9.4),
    25: (4.8, 9.2), 26: (4.7, 9.0), 27: (4.5, 8.8), 28: (4.4, 8.6), 29: (4.3, 8.4),
    30: (4.1, 8.2), 31: (4.0, 8.0), 32: (3.8, 7.8), 33: (3.6, 7.6), 34: (3.5, 7.4),
    35: (3.3, 7.2), 36: (3.2, 7.0), 37: (3.1, 6.7), 38: (2.9, 6.5), 39: (2.8, 6.3),
    40: (2.6, 6.0), 41: (2.5, 5.8), 42: (2.3, 5.6), 43: (2.1, 5.3), 44: (2.0, 5.1),
    45: (1.8, 4.9), 46: (1.6, 4.6), 47: (1.5, 4.4), 48: (1.3, 4.2), 49: (1.2, 3.9),
    50: (1.0, 3.7), 51: (0.9, 3.5), 52: (0.7, 3.2), 53: (0.6, 3.0), 54: (0.4, 2.8),
    55: (0.3, 2.6), 56: (0.2, 2.3), 57: (0.0, 2.1), 58: (None, 1.9), 59: (None, 1.6),
    60: (None, 1.4), 61: (None, 1.1), 62: (None, 0.9), 63: (None, 0.7), 64: (None, 0.5),
    65: (None, 0.3),
}
CELLS = [(o, "cautious", c) for o, (c, _) in TABLE_II_1.items()] + [
    (o, "optimistic", p) for o, (_, p) in TABLE_II_1.items()]


def test_the_module_tables_equal_table_ii_1() -> None:
    assert tuple(c for c, _ in TABLE_II_1.values() if c is not None) == CAUTIOUS_BOUNDARY
    assert tuple(p for _, p in TABLE_II_1.values()) == OPTIMISTIC_BOUNDARY
    assert len([c for c in CELLS if c[2] is not None]) == 124


@pytest.mark.parametrize(("overall", "boundary", "limit"), CELLS,
                         ids=[f"{b}-{o}" for o, b, _ in CELLS])
def test_each_cell_decides_at_its_boundary(overall: int, boundary: str,
                                           limit: float | None) -> None:
    ov = overall / 100
    if limit is None:
        assert attrition_verdict(ov, 0.0, boundary) == "high"
        return
    # On the boundary: low; 0.05 points above it: high (cells differ by at least 0.1).
    assert attrition_verdict(ov, limit / 100, boundary) == "low"
    assert attrition_verdict(ov, (limit + 0.05) / 100, boundary) == "high"
    # The same from counts: 1000 per arm; treatment loses more.
    lost_c = round(10 * overall - 5 * limit) if overall else 0
    if lost_c >= 0 and limit > 0:
        a = attrition(1000, 1000, 1000 - (lost_c + round(10 * limit)), 1000 - lost_c, boundary)
        if a.overall_percent == overall:
            assert a.max_differential == limit
            assert a.verdict == ("low" if a.differential * 100 <= limit + 1e-9 else "high")


def test_overall_rounds_half_up_to_pick_the_row() -> None:
    # 20.5% overall is row 21 (5.3), 20.4% is row 20 (5.4): a 5.35-point differential.
    assert attrition_verdict(0.205, 0.0535, "cautious") == "high"
    assert attrition_verdict(0.204, 0.0535, "cautious") == "low"
    assert attrition_verdict(0.575, 0.0, "cautious") == "high"  # rounds to 58: beyond
    assert attrition_verdict(0.574, 0.0, "cautious") == "low"  # 57: boundary 0.0
    assert attrition_verdict(0.655, 0.0, "optimistic") == "high"  # 66: beyond
    assert attrition_verdict(0.654, 0.003, "optimistic") == "low"  # 65: 0.3


def test_unknown_boundary_is_refused() -> None:
    from evidencekit.stats import StatsError

    with pytest.raises(StatsError, match="cautious"):
        attrition_verdict(0.1, 0.01, "pessimistic")
