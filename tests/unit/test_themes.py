"""The contrast of a theme's colours (WCAG 2.1: relative luminance and contrast ratio) and
its CSS, as pure functions."""

import pytest

from municipalities import themes


def test_the_contrast_ratio_follows_wcag():
    assert themes.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert themes.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    # Known values: WebAIM's contrast checker.
    assert themes.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert themes.contrast_ratio("#01689b", "#ffffff") == pytest.approx(6.08, abs=0.01)
    assert themes.contrast_ratio("#ffffff", "#01689b") == themes.contrast_ratio(
        "#01689b", "#ffffff"
    )


def test_the_neutral_theme_passes_every_rule():
    assert themes.contrast_problems(themes.NEUTRAL) == {}


def test_a_ratio_just_under_the_minimum_fails_and_is_never_rounded_up():
    # #777777 on white is 4.48:1: under 4.5, shown as 4,4.
    problems = themes.contrast_problems({**themes.NEUTRAL, "link_color": "#777777"})
    assert set(problems) == {"link_color"}
    assert "4,4" in problems["link_color"] and "4,5" in problems["link_color"]


def test_buttons_need_three_to_one_on_white_and_their_text_four_and_a_half():
    light = {**themes.NEUTRAL, "primary_color": "#959595", "primary_text_color": "#000000"}
    assert set(themes.contrast_problems(light)) == {"primary_color"}  # 2.9:1 on white
    ok = {**themes.NEUTRAL, "primary_color": "#8a8a8a", "primary_text_color": "#000000"}
    assert themes.contrast_problems(ok) == {}  # 3.4:1 on white, 6.1:1 for its text


@pytest.mark.parametrize(
    ("given", "stored"), [("#ABCDEF", "#abcdef"), ("abcdef", "#abcdef"), (" #fff ", "#ffffff")]
)
def test_colours_are_written_one_way(given, stored):
    assert themes.normalise_colour(given) == stored


@pytest.mark.parametrize("given", ["blue", "#12345", "#1234567", "#ggg000", "red;}body{"])
def test_anything_but_a_colour_is_refused(given):
    with pytest.raises(ValueError):
        themes.normalise_colour(given)


def test_the_css_holds_only_checked_colours_and_known_fonts():
    css = dict(themes.css_properties(themes.NEUTRAL))
    assert css["--portal-color-primary"] == "#01689b"
    assert css["--portal-font-family"] == themes.FONTS["system"]
    with pytest.raises(ValueError):
        themes.css_properties({**themes.NEUTRAL, "link_color": "red;}"})
    with pytest.raises(ValueError):
        themes.css_properties({**themes.NEUTRAL, "font": "Comic Sans"})
