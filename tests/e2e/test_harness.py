"""The browser harness itself: axe must catch a violation, or every other e2e test proves
nothing about accessibility."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_axe_reports_a_page_that_breaks_wcag(page):
    page.goto("/")
    assert page.axe.reports == []

    page.set_content('<html><body><main><img src="/static/none.png"></main></body></html>')
    for _ in range(50):  # the load handler runs between Playwright calls
        if page.axe.reports:
            break
        page.wait_for_timeout(100)

    assert any("image-alt" in report or "html-has-lang" in report for report in page.axe.reports)
    # This test provoked the violation on purpose: stop checking (a second load event of the
    # same content may still arrive) and forget what was found.
    page.axe.stop()
    page.axe.reports.clear()


def test_the_html_checker_reports_an_invalid_page(page):
    page.goto("/")
    page.html.settle()
    assert list(page.html.urls.values()) == [page.url], "the page's HTML was not kept"
    page.html.keep(
        "/invalid",
        '<!DOCTYPE html><html lang="nl"><head><title>x</title></head><body>'
        '<time datetime="2026-12-31T23:05:07.001234+00:00">x</time></body></html>',
    )

    found = page.html.messages()

    assert len(found) == 1 and found[0].startswith("/invalid, line 1: Bad value"), found
    assert "fraction of a second" in found[0]
    page.html.urls.pop(max(page.html.urls))  # provoked on purpose: check only the real page
