"""The performance helpers give exactly what Django's own functions give.

``portal.display.long_date`` and ``|long_date`` against ``|date:"j F Y"``, ``ChoiceLabels``
against ``django.db.models.Model._get_FIELD_display``, ``pk_url`` against ``reverse``.
Django's functions are the reference; a few fixed examples are checked as well, and every
comparison is shown to catch a wrong answer.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import models
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    get_script_prefix,
    reverse,
    set_script_prefix,
)
from django.urls.converters import IntConverter
from django.utils import timezone
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.choices import CaseState
from cases.models import Case
from portal import display
from portal.display import ChoiceLabels, long_date, pk_url
from tests.factories import CaseFactory

LANGUAGES = ["nl", "en"]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC
LONG_DATE = Template("{% load formatting %}{{ v|long_date }}")
DJANGO_DATE = Template('{{ v|date:"j F Y" }}')

# Function-scoped autouse fixtures (tests/conftest.py) are the same for every example.
hypothesis_settings = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
naive_datetimes = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31, 23, 59, 59)
)
aware_datetimes = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2100, 12, 31, 23, 59, 59),
    timezones=st.sampled_from(
        [UTC, AMSTERDAM, ZoneInfo("America/Los_Angeles"), ZoneInfo("Pacific/Kiritimati")]
    ),
)
EMPTY_AND_NOT_DATES = [None, "", "2026-12-01", "x", 0, False, [], dt.time(12, 30)]


def render(template: Template, value) -> str:
    return template.render(Context({"v": value}))


def assert_long_date_as_django(value) -> None:
    """The helper and the filter against ``|date:"j F Y"``, in the active language."""
    assert long_date(value) == date_filter(value, "j F Y")
    assert render(LONG_DATE, value) == render(DJANGO_DATE, value)


# -- long_date ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@hypothesis_settings
@given(value=dates | naive_datetimes)
def test_long_date_of_a_date_or_naive_datetime_equals_djangos_date_filter(language, value):
    with override(language):
        assert_long_date_as_django(value)


@pytest.mark.parametrize("language", LANGUAGES)
@hypothesis_settings
@given(value=aware_datetimes)
def test_long_date_of_an_aware_datetime_is_in_local_time_like_djangos(language, value):
    with override(language):
        assert_long_date_as_django(value)
        assert render(LONG_DATE, value) == date_filter(value.astimezone(AMSTERDAM), "j F Y")


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Asia/Tokyo"])
@hypothesis_settings
@given(value=aware_datetimes)
def test_the_filter_follows_the_current_time_zone_like_djangos(zone, value):
    with override("nl"), timezone.override(ZoneInfo(zone)):
        assert render(LONG_DATE, value) == render(DJANGO_DATE, value)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("value", EMPTY_AND_NOT_DATES, ids=repr)
def test_empty_values_and_non_dates_give_what_djangos_filter_gives(language, value):
    with override(language):
        assert_long_date_as_django(value)
    assert long_date(None) == long_date("") == render(LONG_DATE, None) == ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_month_of_a_year_in_both_languages(language):
    with override(language):
        for month in range(1, 13):
            assert_long_date_as_django(dt.date(2026, month, 1))
            assert_long_date_as_django(dt.date(2026, month, 28))


def test_fixed_examples():
    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    with override("nl"):
        assert long_date(dt.date(2026, 12, 1)) == "1 december 2026"
        assert render(LONG_DATE, dt.date(2026, 12, 1)) == "1 december 2026"
        assert render(LONG_DATE, moment) == "2 maart 2026"
        assert render(DJANGO_DATE, moment) == "2 maart 2026"
        with timezone.override(UTC):
            assert render(LONG_DATE, moment) == "1 maart 2026"
    with override("en"):
        assert long_date(dt.date(2026, 12, 1)) == "1 December 2026"
        assert render(LONG_DATE, moment) == "2 March 2026"
        assert long_date(dt.date(1900, 1, 9)) == "9 January 1900"


def test_switching_languages_does_not_keep_the_other_languages_month_names():
    day = dt.date(2026, 3, 5)
    results = []
    for language in ["nl", "en", "nl", "en"]:
        with override(language):
            results.append(long_date(day))
            assert_long_date_as_django(day)
    assert results == ["5 maart 2026", "5 March 2026"] * 2


def test_a_wrong_month_name_is_caught(monkeypatch):
    with override("nl"):
        right = display._month_names("nl")
    wrong = right[:3] + ("march",) + right[4:]  # "maart" in English
    monkeypatch.setattr(display, "_month_names", lambda language: wrong)
    with override("nl"):
        assert_long_date_as_django(dt.date(2026, 2, 1))
        with pytest.raises(AssertionError):
            assert_long_date_as_django(dt.date(2026, 3, 1))


def test_a_datetime_not_taken_to_local_time_is_caught(monkeypatch):
    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    library = LONG_DATE.engine.template_libraries["formatting"]
    monkeypatch.setattr(library.filters["long_date"], "expects_localtime", False)
    with override("nl"), pytest.raises(AssertionError):
        assert render(LONG_DATE, moment) == render(DJANGO_DATE, moment)


# -- ChoiceLabels ---------------------------------------------------------------------------


def choice_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for label in ("cases", "municipalities")
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.fields
        if field.choices
    ]


CHOICE_FIELDS = choice_fields()
NOT_A_CHOICE = ["no-such-choice", "", "DRAFT", " draft", None, 7]


def field_id(pair) -> str:
    model, field = pair
    return f"{model.__name__}.{field.name}"


def assert_display_as_django(model, field, value) -> None:
    instance = model()
    setattr(instance, field.attname, value)
    ours = getattr(instance, f"get_{field.name}_display")()
    djangos = models.Model._get_FIELD_display(instance, field)
    assert (type(ours), ours) == (type(djangos), djangos), (model, field.name, value)


def test_every_model_of_cases_and_municipalities_uses_choice_labels():
    for label in ("cases", "municipalities"):
        for model in apps.get_app_config(label).get_models():
            assert issubclass(model, ChoiceLabels), model
    assert len(CHOICE_FIELDS) >= 20
    for model, field in CHOICE_FIELDS:
        # Otherwise the comparisons below would compare Django's own with itself.
        method = model.__dict__.get(f"get_{field.name}_display")
        assert method.func is ChoiceLabels._get_FIELD_display, field_id((model, field))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("pair", CHOICE_FIELDS, ids=field_id)
def test_every_choice_label_equals_djangos(language, pair):
    model, field = pair
    with override(language):
        for value, _label in field.flatchoices:
            assert_display_as_django(model, field, value)  # the TextChoices member
            assert_display_as_django(model, field, str(value))  # as read from the database
        for value in NOT_A_CHOICE:
            assert_display_as_django(model, field, value)


@pytest.mark.parametrize("language", LANGUAGES)
@hypothesis_settings
@given(
    pair=st.sampled_from(CHOICE_FIELDS),
    value=st.one_of(st.text(max_size=30), st.none(), st.integers()),
)
def test_any_value_gives_what_djangos_gives(language, pair, value):
    model, field = pair
    with override(language):
        assert_display_as_django(model, field, value)


def test_labels_are_translated_and_switch_with_the_language():
    case = Case(state=CaseState.WITH_UWV)
    shown = []
    for language in ["nl", "en", "nl", "en"]:
        with override(language):
            shown.append(case.get_state_display())
            assert shown[-1] == models.Model._get_FIELD_display(case, Case._meta.get_field("state"))
    assert shown[0] != shown[1]
    assert shown[1] == "Being assessed by UWV"
    assert shown == shown[:2] * 2


def test_a_wrong_label_is_caught(monkeypatch):
    model, field = CHOICE_FIELDS[0]
    value = field.flatchoices[0][0]
    monkeypatch.setattr(display, "_field_labels", lambda field, language: {value: "Verkeerd"})
    with override("nl"), pytest.raises(AssertionError):
        assert_display_as_django(model, field, value)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_labels_of_cases_read_from_the_database(language):
    field = Case._meta.get_field("state")
    pks = [CaseFactory(state=state, lifecycle=False).pk for state in CaseState]
    with override(language):
        for case in Case.objects.filter(pk__in=pks).select_related("person"):
            assert type(case.state) is str
            assert case.get_state_display() == models.Model._get_FIELD_display(case, field)
            person_field = case.person._meta.get_field("benefit_kind")
            assert case.person.get_benefit_kind_display() == (
                models.Model._get_FIELD_display(case.person, person_field)
            )
            assert pk_url("work:case_detail", case.pk) == reverse(
                "work:case_detail", args=[case.pk]
            )


# -- pk_url ---------------------------------------------------------------------------------


def one_int_pk_url_names() -> list[str]:
    """Every URL name whose only argument is an ``<int:…>`` one."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if getattr(pattern.pattern, "converters", None):
                    continue
                inner = namespace + [pattern.namespace] if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = list(getattr(pattern.pattern, "converters", {}).values())
                if len(converters) == 1 and type(converters[0]) is IntConverter:
                    yield ":".join([*namespace, pattern.name])

    return sorted(set(walk(get_resolver().url_patterns, [])))


PK_URL_NAMES = one_int_pk_url_names()


def test_the_one_pk_url_names_include_the_case_pages():
    assert {"work:case_detail", "work:case_move", "uwv:case_detail"} <= set(PK_URL_NAMES)


@pytest.mark.parametrize("name", PK_URL_NAMES)
@hypothesis_settings
@given(pk=st.integers(min_value=0, max_value=2**63 - 1))
def test_pk_url_equals_reverse(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


@pytest.mark.parametrize("name", ["work:case_detail", "work:case_move", "uwv:case_detail"])
def test_pk_url_fixed_examples_and_mark_like_keys(name):
    for pk in [1, 42, 2147483647, 2147483648, 21474836472147483647]:
        assert pk_url(name, pk) == reverse(name, args=[pk])
    assert pk_url("work:case_detail", 42) == "/werk/zaken/42/"
    assert pk_url("work:case_move", 7) == "/werk/zaken/7/verhuizing/"


def test_pk_url_follows_the_script_prefix():
    before = get_script_prefix()
    try:
        set_script_prefix("/portaal/")
        assert pk_url("work:case_detail", 5) == reverse("work:case_detail", args=[5])
        assert pk_url("work:case_detail", 5) == "/portaal/werk/zaken/5/"
    finally:
        set_script_prefix(before)
    assert pk_url("work:case_detail", 5) == reverse("work:case_detail", args=[5])


def test_a_wrong_pk_url_is_caught(monkeypatch):
    monkeypatch.setattr(display, "_pk_url_pattern", lambda name, prefix: "/werk/zaken/{}/")
    assert pk_url("work:case_detail", 3) == reverse("work:case_detail", args=[3])
    assert pk_url("work:case_move", 3) != reverse("work:case_move", args=[3])


@pytest.mark.parametrize("name", ["work:case_list", "work:document_download", "work:case_action"])
def test_pk_url_of_a_url_without_exactly_one_argument_raises_like_reverse(name):
    with pytest.raises(NoReverseMatch):
        reverse(name, args=[1])
    with pytest.raises(NoReverseMatch):
        pk_url(name, 1)


def test_pk_url_refuses_a_url_whose_one_argument_is_no_integer_key():
    assert reverse("work:export", args=[5]) == "/werk/zaken/export.5"  # <str:fmt>
    with pytest.raises(ValueError, match="does not take one primary key"):
        pk_url("work:export", 5)


def test_pk_url_of_an_unknown_name_raises_like_reverse():
    with pytest.raises(NoReverseMatch):
        reverse("work:no_such_page", args=[1])
    with pytest.raises(NoReverseMatch):
        pk_url("work:no_such_page", 1)


def outcome(function) -> tuple[str, str]:
    try:
        return ("url", function())
    except NoReverseMatch:
        return ("error", "NoReverseMatch")


@pytest.mark.parametrize("pk", [-1, True, "05", 3.7, "abc"], ids=repr)
def test_pk_url_answers_odd_keys_exactly_as_reverse(pk):
    assert outcome(lambda: pk_url("work:case_detail", pk)) == outcome(
        lambda: reverse("work:case_detail", args=[pk])
    )
