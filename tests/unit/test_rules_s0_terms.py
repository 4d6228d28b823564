"""DOMAIN.md §0: legal terms, the Algemene termijnenwet calendar and suspensions."""

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases import rules
from cases.choices import TermState
from cases.rules import (
    Suspension,
    add_months,
    add_weeks,
    decree_day_candidates,
    extend_to_working_day,
    general_holidays,
    is_non_working_day,
    term_end,
    term_state,
    uwv_term_end,
)

# --- §0 weeks --------------------------------------------------------------------------


def test_s0_eight_weeks_from_monday_5_january_ends_monday_2_march():
    assert add_weeks(date(2026, 1, 5), 8) == date(2026, 3, 2)


def test_s0_term_in_weeks_ends_on_the_same_weekday():
    start = date(2026, 6, 17)
    assert add_weeks(start, 6).weekday() == start.weekday()


def test_s0_negative_weeks_are_rejected():
    with pytest.raises(ValueError):
        add_weeks(date(2026, 1, 5), -1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 15), 0, date(2026, 3, 15)),
    ],
)
def test_s0_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


# --- §0 Atw art. 1: weekend ------------------------------------------------------------


def test_s0_term_on_saturday_moves_to_monday():
    # 8 weeks from Saturday 3 January 2026 ends Saturday 28 February.
    assert term_end(date(2026, 1, 3), 8) == date(2026, 3, 2)


def test_s0_term_on_sunday_moves_to_monday():
    assert term_end(date(2026, 1, 4), 8) == date(2026, 3, 2)


def test_s0_term_on_a_working_day_is_not_moved():
    assert term_end(date(2026, 1, 5), 8) == date(2026, 3, 2)


# --- §0 Atw art. 3: each kind of general holiday ---------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Nieuwjaarsdag"),  # Thursday
        (date(2026, 4, 3), "Goede Vrijdag"),  # art. 3(2)
        (date(2026, 4, 6), "Tweede Paasdag"),
        (date(2026, 4, 27), "Koningsdag"),  # Monday
        (date(2026, 5, 5), "Bevrijdingsdag"),  # Tuesday, not a lustrum year
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2026, 5, 25), "Tweede Pinksterdag"),
        (date(2026, 12, 25), "Eerste Kerstdag"),  # Friday
        (date(2025, 12, 26), "Tweede Kerstdag"),  # Friday
    ],
)
def test_s0_each_atw_holiday_is_a_non_working_day(day, name):
    assert day.weekday() < 5, "pick a weekday so only the holiday makes it non-working"
    assert general_holidays(day.year)[day] == name
    assert is_non_working_day(day)
    assert extend_to_working_day(day) > day


def test_s0_new_years_day_extends_a_term():
    # 8 weeks before Thursday 1 January 2026 is Thursday 6 November 2025.
    assert term_end(date(2025, 11, 6), 8) == date(2026, 1, 2)


def test_s0_good_friday_and_easter_monday_extend_to_tuesday():
    # Ends Good Friday 3 April 2026 → Saturday, Sunday, Easter Monday → Tuesday 7 April.
    assert uwv_term_end(date(2026, 2, 6)) == date(2026, 4, 7)


def test_s0_easter_monday_extends_a_term():
    assert extend_to_working_day(date(2026, 4, 6)) == date(2026, 4, 7)


def test_s0_kings_day_extends_a_term():
    assert extend_to_working_day(date(2026, 4, 27)) == date(2026, 4, 28)


def test_s0_kings_day_is_26_april_when_27_april_is_a_sunday():
    assert date(2025, 4, 27).weekday() == 6
    days = general_holidays(2025)
    assert days[date(2025, 4, 26)] == "Koningsdag"
    assert date(2025, 4, 27) not in days


def test_s0_kings_day_is_27_april_otherwise():
    assert general_holidays(2027)[date(2027, 4, 27)] == "Koningsdag"
    assert date(2027, 4, 26) not in general_holidays(2027)


def test_s0_5_may_in_a_non_lustrum_year_extends_a_term():
    # Tuesday 5 May 2026.
    assert extend_to_working_day(date(2026, 5, 5)) == date(2026, 5, 6)


def test_s0_holidays_package_has_5_may_only_in_lustrum_years_and_we_correct_it():
    package = holidays.country_holidays("NL", years=range(2021, 2031))
    for year in range(2021, 2031):
        liberation_day = date(year, 5, 5)
        assert (liberation_day in package) == (year % 5 == 0), "package behaviour changed"
        assert general_holidays(year)[liberation_day].endswith("Bevrijdingsdag")


def test_s0_5_may_on_ascension_day_keeps_both_names():
    # 5 May 2005 was Ascension Day in a lustrum year.
    name = general_holidays(2005)[date(2005, 5, 5)]
    assert "Hemelvaartsdag" in name and "Bevrijdingsdag" in name


def test_s0_ascension_day_extends_a_term():
    assert extend_to_working_day(date(2026, 5, 14)) == date(2026, 5, 15)


def test_s0_whit_monday_extends_a_term():
    assert extend_to_working_day(date(2026, 5, 25)) == date(2026, 5, 26)


def test_s0_christmas_and_boxing_day_extend_a_term():
    # Friday 25 December 2026, Boxing Day on Saturday, then Sunday.
    assert extend_to_working_day(date(2026, 12, 25)) == date(2026, 12, 28)


def test_s0_boxing_day_extends_a_term():
    assert extend_to_working_day(date(2025, 12, 26)) == date(2025, 12, 29)


def test_s0_easter_sunday_and_whit_sunday_are_not_atw_days():
    days = general_holidays(2026)
    assert date(2026, 4, 5) not in days  # Easter Sunday
    assert date(2026, 5, 24) not in days  # Whit Sunday


def test_s0_atw_calendar_has_exactly_the_art_3_days():
    assert set(general_holidays(2026)) == {
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 4, 27),
        date(2026, 5, 5),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2026, 12, 26),
    }


def test_s0_every_name_in_the_holidays_package_is_kept_or_dropped_on_purpose():
    """Fails when a holidays upgrade adds or renames a Dutch day: review it against art. 3."""
    package = holidays.country_holidays("NL", years=range(1966, 2101), language="en_US")
    names = {name for day in package for name in package.get_list(day)}
    known = set(rules._ATW_DAYS_FROM_PACKAGE) | rules._NOT_ATW_DAYS_FROM_PACKAGE
    assert names <= known


def test_s0_ordinary_weekday_is_a_working_day():
    assert not is_non_working_day(date(2026, 3, 3))


# --- §0 Atw art. 3(3): royal-decree days as data ----------------------------------------


def test_s0_decree_day_passed_as_data_extends_a_term():
    friday_after_ascension = date(2026, 5, 15)
    assert not is_non_working_day(friday_after_ascension)
    assert is_non_working_day(friday_after_ascension, extra_days=[friday_after_ascension])
    assert general_holidays(2026, [friday_after_ascension])[friday_after_ascension] == (
        rules.DECREE_DAY
    )
    # A term ending on Ascension Day goes past the decree day and the weekend.
    assert extend_to_working_day(date(2026, 5, 14)) == date(2026, 5, 15)
    assert extend_to_working_day(date(2026, 5, 14), [friday_after_ascension]) == date(2026, 5, 18)


def test_s0_decree_days_of_another_year_are_ignored_by_general_holidays():
    assert date(2027, 5, 7) not in general_holidays(2026, [date(2027, 5, 7)])


def test_s0_decree_day_candidates_2026():
    # New Year on Thursday → Friday 2 January; 5 May on Tuesday → Monday 4 May;
    # Friday after Ascension Day.
    assert decree_day_candidates(2026) == [date(2026, 1, 2), date(2026, 5, 4), date(2026, 5, 15)]


def test_s0_decree_day_candidates_include_friday_after_ascension_every_year():
    for year in range(2024, 2032):
        ascension = next(d for d, n in general_holidays(year).items() if "Hemelvaartsdag" in n)
        assert ascension + timedelta(days=1) in decree_day_candidates(year)


def test_s0_decree_day_candidate_monday_31_december_before_tuesday_new_year():
    assert date(2030, 1, 1).weekday() == 1
    assert date(2029, 12, 31) in decree_day_candidates(2029)
    assert date(2029, 12, 31) not in decree_day_candidates(2030)


def test_s0_decree_day_candidates_are_never_holidays_themselves():
    # Christmas on Thursday: the Friday after is Boxing Day, already a holiday.
    assert date(2025, 12, 26) not in decree_day_candidates(2025)


def test_s0_decree_day_candidates_have_no_effect_until_passed_in():
    for candidate in decree_day_candidates(2026):
        assert not is_non_working_day(candidate)


# --- §0 suspension ---------------------------------------------------------------------


def test_s0_closed_suspension_adds_its_days():
    # 8 weeks from Monday 5 January 2026 → Monday 2 March; 7 days suspended → Monday 9 March.
    suspension = Suspension(date(2026, 1, 12), date(2026, 1, 19))
    assert uwv_term_end(date(2026, 1, 5), [suspension]) == date(2026, 3, 9)


def test_s0_several_suspensions_add_up():
    suspensions = [
        Suspension(date(2026, 1, 12), date(2026, 1, 15)),
        Suspension(date(2026, 1, 20), date(2026, 1, 24)),
    ]
    assert uwv_term_end(date(2026, 1, 5), suspensions) == date(2026, 3, 9)


def test_s0_open_suspension_counts_until_today_and_keeps_moving():
    suspension = Suspension(date(2026, 1, 12))
    received = date(2026, 1, 5)
    assert uwv_term_end(received, [suspension], today=date(2026, 1, 19)) == date(2026, 3, 9)
    assert uwv_term_end(received, [suspension], today=date(2026, 1, 20)) == date(2026, 3, 10)


def test_s0_open_suspension_requires_today():
    with pytest.raises(ValueError):
        uwv_term_end(date(2026, 1, 5), [Suspension(date(2026, 1, 12))])


def test_s0_open_suspension_cannot_start_after_today():
    with pytest.raises(ValueError):
        uwv_term_end(date(2026, 1, 5), [Suspension(date(2026, 1, 12))], today=date(2026, 1, 10))


def test_s0_suspension_ending_before_it_starts_is_rejected():
    with pytest.raises(ValueError):
        uwv_term_end(date(2026, 1, 5), [Suspension(date(2026, 1, 12), date(2026, 1, 11))])


def test_s0_overlapping_suspensions_are_rejected():
    with pytest.raises(ValueError):
        uwv_term_end(
            date(2026, 1, 5),
            [
                Suspension(date(2026, 1, 12), date(2026, 1, 20)),
                Suspension(date(2026, 1, 19), date(2026, 1, 22)),
            ],
        )


def test_s0_suspension_after_an_open_one_overlaps():
    with pytest.raises(ValueError):
        uwv_term_end(
            date(2026, 1, 5),
            [Suspension(date(2026, 1, 12)), Suspension(date(2026, 1, 20), date(2026, 1, 22))],
            today=date(2026, 1, 25),
        )


def test_s0_touching_suspensions_are_fine():
    suspensions = [
        Suspension(date(2026, 1, 12), date(2026, 1, 15)),
        Suspension(date(2026, 1, 15), date(2026, 1, 19)),
    ]
    assert uwv_term_end(date(2026, 1, 5), suspensions) == date(2026, 3, 9)


def test_s0_suspension_then_holiday_extension():
    # 8 weeks from Friday 6 February 2026 is Good Friday; 3 days suspended → Monday 6 April
    # (Easter Monday) → Tuesday 7 April.
    suspension = Suspension(date(2026, 2, 9), date(2026, 2, 12))
    assert uwv_term_end(date(2026, 2, 6), [suspension]) == date(2026, 4, 7)


# --- §0 state of a term ----------------------------------------------------------------


def test_s0_term_state_running_up_to_and_including_the_end_date():
    assert term_state(date(2026, 3, 2), today=date(2026, 3, 2)) == TermState.RUNNING


def test_s0_term_state_overdue_after_the_end_date():
    assert term_state(date(2026, 3, 2), today=date(2026, 3, 3)) == TermState.OVERDUE


def test_s0_term_state_suspended():
    assert term_state(date(2026, 3, 2), date(2026, 3, 3), suspended=True) == TermState.SUSPENDED


def test_s0_term_state_met_wins_even_when_late():
    assert (
        term_state(date(2026, 3, 2), date(2026, 3, 9), met_on=date(2026, 3, 5), suspended=True)
        == TermState.MET
    )


# --- §0 properties of the term arithmetic ----------------------------------------------

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2095, 12, 31))
week_counts = st.integers(min_value=0, max_value=60)
extra_day_sets = st.lists(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), max_size=5
)


@st.composite
def suspension_lists(draw, start: date):
    """Non-overlapping closed suspensions from ``start`` on, in random order."""
    result = []
    cursor = start
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        cursor += timedelta(days=draw(st.integers(min_value=0, max_value=20)))
        length = draw(st.integers(min_value=0, max_value=30))
        result.append(Suspension(cursor, cursor + timedelta(days=length)))
        cursor += timedelta(days=length)
    return draw(st.permutations(result))


@given(start=starts, weeks=week_counts, extra=extra_day_sets)
def test_s0_property_end_is_never_a_non_working_day(start, weeks, extra):
    end = term_end(start, weeks, extra_days=extra)
    assert not is_non_working_day(end, extra)
    assert end.weekday() < 5


@given(start=starts, weeks=week_counts, extra=extra_day_sets)
def test_s0_property_end_is_the_first_working_day_from_add_weeks(start, weeks, extra):
    end = term_end(start, weeks, extra_days=extra)
    assert end >= add_weeks(start, weeks)
    skipped = add_weeks(start, weeks)
    while skipped < end:
        assert is_non_working_day(skipped, extra), "extended past a working day"
        skipped += timedelta(days=1)


@given(data=st.data(), start=starts, weeks=week_counts)
def test_s0_property_suspensions_add_at_least_their_days(data, start, weeks):
    suspensions = data.draw(suspension_lists(start))
    total = sum((s.end - s.start).days for s in suspensions)
    end = term_end(start, weeks, suspensions)
    assert end >= add_weeks(start, weeks) + timedelta(days=total)
    assert not is_non_working_day(end)


@given(data=st.data(), start=starts, weeks=week_counts)
def test_s0_property_open_suspension_end_never_earlier_as_days_pass(data, start, weeks):
    opened = start + timedelta(days=data.draw(st.integers(0, 30)))
    today = opened + timedelta(days=data.draw(st.integers(0, 60)))
    later = today + timedelta(days=data.draw(st.integers(0, 60)))
    suspension = [Suspension(opened)]
    assert term_end(start, weeks, suspension, today=today) <= term_end(
        start, weeks, suspension, today=later
    )


@given(a=starts, b=starts, weeks=week_counts, extra=extra_day_sets)
def test_s0_property_monotone_in_start_date(a, b, weeks, extra):
    early, late = min(a, b), max(a, b)
    assert term_end(early, weeks, extra_days=extra) <= term_end(late, weeks, extra_days=extra)


@given(start=starts, weeks=week_counts)
def test_s0_property_more_weeks_never_end_earlier(start, weeks):
    assert term_end(start, weeks) <= term_end(start, weeks + 1)
