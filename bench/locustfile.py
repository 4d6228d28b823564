"""Mixed staff workload at a fixed arrival rate (see README.md in this folder).

Every simulated user signs in once (password + TOTP) and then sends its HTTP requests on a
fixed schedule: one every LOAD_USERS / LOAD_RATE seconds (slot n at start + n * interval; a
late answer does not move the schedule, the next request goes out as soon as the slot has
passed). The total rate is LOAD_RATE requests/s as long as each user's answer comes back
within its interval.

Mix per 100 HTTP requests (municipal users 95, UWV users 5):
  15 dashboard /werk/                        25 work list, first page /werk/zaken/
  10 work list, deep page (the page's own "next" link, followed up to LOAD_DEEP_MAX pages)
   5 search by name: POST /werk/zaken/ (302) + GET /werk/zaken/?zoek=1 (as the page does)
  25 case page of a random case of the user's municipality /werk/zaken/<id>/
   5 waiting list /werk/wachtlijst/          5 UWV queue /uwv/ (UWV assessors)
  10 action "assign": GET /werk/zaken/<id>/behandelaar/ + POST it (CSRF) to a random colleague (302)

Users sign in as they start (allauth allows 300 sign-ins a minute from one address). Statistics
are reset when every user has signed in and LOAD_WARMUP_S seconds have passed; LOAD_MEASURE_S
seconds later the run stops (so --csv holds the measurement window only).

The accounts file is written by ``manage.py bench_worklist`` (``Command.prepare_load``); the
command also starts the server and this file (``--rate``). Needs ``pip install locust pyotp``
(the ``bench`` extra of pyproject.toml).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time

import gevent
import pyotp
from locust import FastHttpUser, constant, events, task

ACCOUNTS_FILE = os.environ.get("LOAD_ACCOUNTS_FILE", "load-accounts.json")
RATE = float(os.environ.get("LOAD_RATE", "100"))
WARMUP_S = float(os.environ.get("LOAD_WARMUP_S", "30"))
MEASURE_S = float(os.environ.get("LOAD_MEASURE_S", "180"))
DEEP_MAX = int(os.environ.get("LOAD_DEEP_MAX", "40"))
PROTO = os.environ.get("LOAD_FORWARDED_PROTO", "https")  # the portal trusts X-Forwarded-Proto
PROC_CPU = os.environ.get("LOAD_PROC_CPU", "1") == "1"  # CPU per process group (Linux /proc)

with open(ACCOUNTS_FILE) as fh:
    ACCOUNTS = json.load(fh)
# Interleave the kinds so that any user count keeps roughly the mix of the accounts file.
_ORDER = sorted(range(len(ACCOUNTS["users"])), key=lambda i: (i * 7919) % len(ACCOUNTS["users"]))
_NEXT_ACCOUNT = itertools.count()

# flow name -> (weight in flows, HTTP requests per flow): weight * requests = share of requests
MUNICIPAL_FLOWS = {
    "dashboard": (15, 1),
    "list_first": (25, 1),
    "list_deep": (10, 1),
    "search": (2.5, 2),
    "case": (25, 1),
    "waiting": (5, 1),
    "assign": (5, 2),
}
_FLOW_NAMES = list(MUNICIPAL_FLOWS)
_FLOW_WEIGHTS = [MUNICIPAL_FLOWS[n][0] for n in _FLOW_NAMES]

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NEXT_RE = re.compile(r'<a href="([^"]*)" rel="next"')
OPTION_RE = re.compile(r'<option value="(\d+)"')

_state = {"logged_in": 0, "target": None, "window": None}


def _csrf(text: str) -> str | None:
    m = CSRF_RE.search(text)
    return m.group(1) if m else None


class Staff(FastHttpUser):
    wait_time = constant(0)  # pacing is done per request in pace()

    def on_start(self):
        n = next(_NEXT_ACCOUNT)
        self.account = ACCOUNTS["users"][_ORDER[n % len(_ORDER)]]
        self.town = (
            ACCOUNTS["towns"].get(str(self.account["town"])) if self.account["town"] else None
        )
        self.base = self.host.rstrip("/")
        self.first_next = None
        self.deep_url, self.deep_depth = None, 0
        gevent.sleep(random.uniform(0, 2))
        self.login()
        users = self.environment.runner.target_user_count or 1
        self.interval = users / RATE
        self.next_at = time.monotonic() + random.uniform(0, self.interval)
        _state["logged_in"] += 1
        if _state["logged_in"] == users:
            gevent.spawn(_measure_window, self.environment)

    # -- plumbing --------------------------------------------------------------------------

    def _unsecure(self):
        # DEBUG off: session and CSRF cookies are Secure; a client sends Secure cookies over
        # https only. The server believes it is behind TLS (X-Forwarded-Proto), so keep them.
        for cookie in self.client.cookiejar:
            cookie.secure = False

    def _cookie(self, name: str) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == name), "")

    def req(self, method, path, name, expect=200, referer=None, **kw):
        headers = {
            "Referer": self.base.replace("http://", f"{PROTO}://") + (referer or path),
            "X-Forwarded-Proto": PROTO,
        }
        with self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **kw,
        ) as r:
            self._unsecure()
            if r.status_code != expect:
                r.failure(
                    f"status {r.status_code} (expected {expect}) {r.headers.get('Location', '')}"
                )
            else:
                r.success()
        return r

    def pace(self):
        now = time.monotonic()
        if self.next_at > now:
            gevent.sleep(self.next_at - now)
        self.next_at += self.interval

    def login(self):
        email = self.account["email"]
        r = self.req("GET", "/account/login/", "login: form")
        r = self.req(
            "POST",
            "/account/login/",
            "login: password",
            expect=302,
            data={
                "csrfmiddlewaretoken": _csrf(r.text) or "",
                "login": email,
                "password": ACCOUNTS["password"],
            },
            referer="/account/login/",
        )
        step = r.headers.get("Location", "")
        r = self.req("GET", step, "login: 2fa form")
        code = pyotp.TOTP(ACCOUNTS["totp_secret"]).now()
        r = self.req(
            "POST",
            step,
            "login: 2fa code",
            expect=302,
            data={"csrfmiddlewaretoken": _csrf(r.text) or "", "code": code},
            referer=step,
        )
        if r.status_code != 302 or "login" in r.headers.get("Location", ""):
            print(f"[load] sign-in of {email} failed: {r.status_code}", flush=True)
        if self.account["kind"] == "municipal":
            r = self.req("GET", "/werk/zaken/", "login: first list")
            self._remember_next(r, first=True)

    def _remember_next(self, r, first):
        m = NEXT_RE.search(r.text or "")
        link = "/werk/zaken/" + html.unescape(m.group(1)) if m else None
        if first:
            self.first_next = link or self.first_next
        else:
            self.deep_url = link
            self.deep_depth += 1

    # -- the mix ---------------------------------------------------------------------------

    @task
    def one(self):
        if self.account["kind"] == "uwv":
            self.pace()
            self.req("GET", "/uwv/", "uwv queue")
            return
        flow = random.choices(_FLOW_NAMES, _FLOW_WEIGHTS)[0]
        getattr(self, "flow_" + flow)()

    def flow_dashboard(self):
        self.pace()
        self.req("GET", "/werk/", "dashboard")

    def flow_list_first(self):
        self.pace()
        self._remember_next(self.req("GET", "/werk/zaken/", "list: first page"), first=True)

    def flow_list_deep(self):
        if not self.deep_url or self.deep_depth >= DEEP_MAX:
            self.deep_url, self.deep_depth = self.first_next, 1
        if not self.deep_url:
            return self.flow_list_first()
        self.pace()
        self._remember_next(
            self.req("GET", self.deep_url, "list: deep page (next link)"), first=False
        )

    def flow_search(self):
        self.pace()
        r = self.req(
            "POST",
            "/werk/zaken/",
            "search: POST name",
            expect=302,
            data={
                "csrfmiddlewaretoken": self._cookie("csrftoken"),
                "q": random.choice(self.town["names"]),
            },
            referer="/werk/zaken/",
        )
        target = r.headers.get("Location") or "/werk/zaken/?zoek=1"
        self.pace()
        self.req("GET", target, "search: results")

    def flow_case(self):
        self.pace()
        self.req("GET", f"/werk/zaken/{random.choice(self.town['case_ids'])}/", "case page")

    def flow_waiting(self):
        self.pace()
        self.req("GET", "/werk/wachtlijst/", "waiting list")

    def flow_assign(self):
        pk = random.choice(self.town["open_case_ids"])
        path = f"/werk/zaken/{pk}/behandelaar/"
        self.pace()
        r = self.req("GET", path, "assign: form")
        if r.status_code != 200:
            return
        options = OPTION_RE.findall(r.text)
        self.pace()
        self.req(
            "POST",
            path,
            "assign: POST",
            expect=302,
            referer=path,
            data={
                "csrfmiddlewaretoken": _csrf(r.text) or "",
                "assign-assignee": random.choice(options) if options else "",
            },
        )


# -- measurement window and CPU per process group --------------------------------------------


def _cpu_snapshot():
    tick = os.sysconf("SC_CLK_TCK")
    groups = {"gunicorn": 0.0, "postgres": 0.0, "locust": 0.0, "redis": 0.0, "other": 0.0}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # own + waited-for children (a PostgreSQL backend that exits lands in the postmaster's)
        cpu = sum(int(f) for f in fields[11:15]) / tick
        comm = stat.split("(", 1)[1].rsplit(")", 1)[0]
        group = (
            "gunicorn"
            if "gunicorn" in cmd
            else "postgres"
            if comm == "postgres"
            else "locust"
            if "locust" in cmd
            else "redis"
            if "redis" in comm
            else "other"
        )
        groups[group] += cpu
    with open("/proc/stat") as fh:
        total = [int(x) for x in fh.readline().split()[1:]]
    groups["_idle"] = (total[3] + total[4]) / tick
    groups["_all"] = sum(total[:8]) / tick
    return groups


def _measure_window(environment):
    gevent.sleep(WARMUP_S)
    environment.runner.stats.reset_all()
    start, snap = time.monotonic(), _cpu_snapshot() if PROC_CPU else None
    print(f"[load] warm-up done, statistics reset; measuring {MEASURE_S:.0f} s", flush=True)
    gevent.sleep(MEASURE_S)
    elapsed = time.monotonic() - start
    total = environment.runner.stats.total
    if snap:
        end = _cpu_snapshot()
        cores = os.cpu_count()
        parts = [
            f"{k} {100 * (end[k] - snap[k]) / elapsed:.0f}%"
            for k in ("gunicorn", "postgres", "locust", "redis", "other")
        ]
        busy = 100 * (1 - (end["_idle"] - snap["_idle"]) / max(end["_all"] - snap["_all"], 1e-9))
        print(
            f"[load] CPU over the window (100% = one core, {cores} cores): "
            + ", ".join(parts)
            + f"; machine busy {busy:.0f}% of all cores",
            flush=True,
        )
        # The server's own cost of a request, whatever the load: comparable between runs.
        served = max(total.num_requests, 1)
        per_request = {k: 1000 * (end[k] - snap[k]) / served for k in ("gunicorn", "postgres")}
        print(
            f"[load] CPU per request: gunicorn {per_request['gunicorn']:.1f} ms, "
            f"postgres {per_request['postgres']:.1f} ms",
            flush=True,
        )
    print(
        f"[load] window {elapsed:.0f} s: {total.num_requests} requests "
        f"({total.num_requests / elapsed:.1f}/s), {total.num_failures} failures",
        flush=True,
    )
    environment.runner.quit()


@events.init.add_listener
def _init(environment, **_kw):
    _state["target"] = None
