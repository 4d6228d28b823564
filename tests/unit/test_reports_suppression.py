"""Suppression for the public (issue #23), with hand-worked examples; and the percentiles."""

from decimal import Decimal

from cases.reports.figures import percentiles
from cases.reports.suppression import suppress


def test_counts_from_1_to_4_are_hidden_and_0_and_5_are_not():
    values = {"a": 0, "b": 1, "c": 4, "d": 5}

    assert suppress(values, []) == {"b", "c"}


def test_a_total_with_one_small_part_hides_the_smallest_other_part():
    # 20 = 2 + 8 + 10: showing 20, 8 and 10 gives 2 away; hiding 8 too leaves 2 in 1..4
    # (20 - 10 - (at least 5) = at most 5).
    values = {"total": 20, "x": 2, "y": 8, "z": 10}

    assert suppress(values, [("total", ["x", "y", "z"])]) == {"x", "y"}


def test_when_the_other_part_would_still_give_it_away_the_total_is_hidden_too():
    # 6 = 1 + 5: hiding 5 is not enough (6 - at least 5 = at most 1, so x = 1): hide 6 as well.
    values = {"total": 6, "x": 1, "y": 5}

    assert suppress(values, [("total", ["x", "y"])]) == {"total", "x", "y"}


def test_two_small_parts_protect_each_other_unless_the_total_pins_them():
    # 7 = 3 + 4: each lies in 3..4, not one value: nothing more to hide.
    assert suppress({"t": 7, "x": 3, "y": 4}, [("t", ["x", "y"])]) == {"x", "y"}
    # 8 = 4 + 4: both must be 4, so the total is hidden too (then it is 5..8, and x 1..4).
    assert suppress({"t": 8, "x": 4, "y": 4}, [("t", ["x", "y"])]) == {"t", "x", "y"}


def test_a_region_total_does_not_give_away_its_one_small_municipality():
    # Region 25 = A 3 + B 10 + C 12: hiding B as well leaves A in 1..4.
    values = {"region": 25, "A": 3, "B": 10, "C": 12}

    assert suppress(values, [("region", ["A", "B", "C"])]) == {"A", "B"}


def test_sums_are_followed_through_each_other():
    # A two-way table: rows r1 = a + b, r2 = c + d; columns k1 = a + c, k2 = b + d.
    # a = 2 is small. Hiding c and b is not enough: d = 5 is shown, so b = k2 - d = 7 and
    # c = r2 - d = 6 come back, and a = r1 - b. So r1 and k1 are hidden too. What is left
    # shown (r2, k2, d) fits a = 3 as well as a = 2: b = 7, c = 6, r1 = 10, k1 = 9.
    values = {"r1": 9, "r2": 11, "k1": 8, "k2": 12, "a": 2, "b": 7, "c": 6, "d": 5}
    constraints = [("r1", ["a", "b"]), ("r2", ["c", "d"]), ("k1", ["a", "c"]), ("k2", ["b", "d"])]

    hidden = suppress(values, constraints)

    assert hidden == {"a", "b", "c", "r1", "k1"}


def test_median_of_an_even_number_is_the_mean_of_the_two_middle_values():
    n, median, p90 = percentiles({10: 1, 20: 1, 30: 1, 40: 1})

    assert (n, median, p90) == (4, Decimal(25), Decimal(40))


def test_median_and_p90_of_an_odd_number_with_repeated_days():
    # 5, 5, 7, 9, 30, 30, 30, 31, 60, 90: n = 10, median (30 + 30) / 2, p90 = 9th value = 60.
    n, median, p90 = percentiles({5: 2, 7: 1, 9: 1, 30: 3, 31: 1, 60: 1, 90: 1})
    assert (n, median, p90) == (10, Decimal(30), Decimal(60))

    n, median, p90 = percentiles({3: 1, 8: 1, 13: 1})
    assert (n, median, p90) == (3, Decimal(8), Decimal(13))


def test_no_durations_have_no_median():
    assert percentiles({}) == (0, None, None)
