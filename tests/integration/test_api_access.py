"""Who may call what in the case exchange API (issue #24): the token flow with client
credentials, every endpoint for every kind of client of the demo's municipalities, the same
refusals as the pages, the audit of every call, and the rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.audit.models import AuditEntry
from cases.choices import CaseState, TermKind
from cases.models import Advice, Decision
from cases.placement.models import Employment
from cases.terms.models import Term
from tests.factories import CaseFactory, PersonFactory, UserFactory
from tests.integration.conftest import bearer, get_token, sign_in

pytestmark = pytest.mark.django_db


def case_in(municipality, state: CaseState):
    return CaseFactory(person=PersonFactory(municipality=municipality), state=state)


def at_uwv(municipality):
    case = case_in(municipality, CaseState.WITH_UWV)
    today = timezone.localdate()
    Term.objects.filter(case=case, kind=TermKind.UWV_ADVICE).update(
        starts_on=today - dt.timedelta(weeks=2), end_on=today + dt.timedelta(weeks=6)
    )
    return case


POSITIVE_ADVICE = {
    "outcome": "positive",
    "reasons": "Heeft permanent toezicht nodig.",
    "needs_supervision": True,
    "work_capacity": {
        "can_perform_task": True,
        "basic_employee_skills": True,
        "hours_at_a_stretch": "2",
        "hours_per_day": "6",
    },
}


def placement(**overrides) -> dict:
    return {
        "employer_name": "SOB De Werkplaats",
        "workplace_kind": "social_enterprise",
        "hours_per_week": "25",
        "start_on": timezone.localdate().isoformat(),
        "contract_kind": "indefinite",
        "agreed_wage": "2600",
        "wage_value_pct": "40",
    } | overrides


@pytest.fixture
def world(amsterdam, rotterdam, api_clients):
    """Amsterdam's cases at each step the API acts on (Rotterdam has its own)."""
    cases = {
        "at_uwv": at_uwv(amsterdam),
        "advised": case_in(amsterdam, CaseState.ADVICE_ISSUED),
        "waiting": case_in(amsterdam, CaseState.AWAITING_PLACEMENT),
        "employed": case_in(amsterdam, CaseState.EMPLOYED),
    }
    # The advice of "advised" is positive, so a positive decision follows it.
    Advice.objects.filter(case=cases["advised"]).update(outcome="positive", needs_supervision=True)
    for state in (CaseState.ADVICE_ISSUED, CaseState.EMPLOYED):
        case_in(rotterdam, state)
    at_uwv(rotterdam)
    return cases


#: Every endpoint: method, address (of an Amsterdam case), and the body of a POST.
ENDPOINTS = {
    "uwv_queue": ("get", lambda c: "/api/v1/uwv/queue/", None),
    "uwv_case": ("get", lambda c: f"/api/v1/uwv/cases/{c['at_uwv'].pk}/", None),
    "uwv_advice": (
        "post",
        lambda c: f"/api/v1/uwv/cases/{c['at_uwv'].pk}/advice/",
        POSITIVE_ADVICE,
    ),
    "case_list": ("get", lambda c: "/api/v1/cases/", None),
    "case": ("get", lambda c: f"/api/v1/cases/{c['advised'].pk}/", None),
    "decision": (
        "post",
        lambda c: f"/api/v1/cases/{c['advised'].pk}/decision/",
        {"positive": True},
    ),
    "placement": ("post", lambda c: f"/api/v1/cases/{c['waiting'].pk}/placement/", placement()),
    "decision_list": ("get", lambda c: "/api/v1/decisions/", None),
    "placement_list": ("get", lambda c: "/api/v1/placements/", None),
    "waiting_list": ("get", lambda c: "/api/v1/waiting-list/", None),
}

#: What each client gets: the status per endpoint (in the order of ENDPOINTS). UWV only on its
#: own endpoints; a back office on its own municipality's cases (another's: not found, as on
#: the pages); a read scope only reads.
MATRIX = {
    "uwv": (200, 200, 201, 403, 403, 403, 403, 403, 403, 403),
    "uwv_read": (200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    "amsterdam": (403, 403, 403, 200, 200, 201, 201, 200, 200, 200),
    "amsterdam_read": (403, 403, 403, 200, 200, 403, 403, 200, 200, 200),
    "rotterdam": (403, 403, 403, 200, 404, 404, 404, 200, 200, 200),
    "no token": (401,) * 10,
    "wrong token": (401,) * 10,
}


def call(client, endpoint: str, cases, headers: dict):
    method, url, body = ENDPOINTS[endpoint]
    if method == "get":
        return client.get(url(cases), **headers)
    return client.post(url(cases), body, content_type="application/json", **headers)


def headers_of(client, who: str, api_clients) -> dict:
    if who == "no token":
        return {}
    if who == "wrong token":
        return {"HTTP_AUTHORIZATION": "Bearer not-a-token-of-anyone"}
    return bearer(client, *api_clients[who])


@pytest.mark.parametrize("who", list(MATRIX))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_endpoint_for_every_client(client, world, api_clients, who, endpoint):
    expected = MATRIX[who][list(ENDPOINTS).index(endpoint)]
    response = call(client, endpoint, world, headers_of(client, who, api_clients))
    assert response.status_code == expected, response.content
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert "no-store" in response["Cache-Control"]


def test_a_back_office_lists_only_its_own_municipality(client, world, api_clients, rotterdam):
    for who, own in (("amsterdam", world["advised"].municipality), ("rotterdam", rotterdam)):
        headers = bearer(client, *api_clients[who])
        cases = client.get("/api/v1/cases/", **headers).json()["results"]
        references = set(own.cases.values_list("reference", flat=True))
        assert cases and all(case["reference"] in references for case in cases)
        decisions = client.get("/api/v1/decisions/", **headers).json()["results"]
        assert {d["case"]["id"] for d in decisions} == set(
            Decision.objects.filter(case__municipality=own).values_list("case_id", flat=True)
        )
        jobs = client.get("/api/v1/placements/", **headers).json()["results"]
        assert {j["case"]["id"] for j in jobs} == set(
            Employment.objects.filter(case__municipality=own).values_list("case_id", flat=True)
        )


# -- the token --------------------------------------------------------------------------------


def test_client_credentials_give_a_bearer_token_with_the_clients_scopes(client, api_clients):
    api_client, secret = api_clients["amsterdam"]
    response = get_token(client, api_client, secret)
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "Bearer"
    assert set(token["scope"].split()) == {"cases.read", "cases.write"}
    assert token["expires_in"] == 3600
    assert "refresh_token" not in token
    assert "no-store" in response["Cache-Control"]

    narrowed = get_token(client, api_client, secret, scope="cases.read").json()
    assert narrowed["scope"] == "cases.read"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {narrowed['access_token']}"}
    assert client.get("/api/v1/cases/", **headers).status_code == 200
    refused = client.post(
        f"/api/v1/cases/{CaseFactory().pk}/decision/",
        {"positive": True},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 403
    assert "cases.write" in refused.json()["detail"]


def test_a_client_gets_no_scope_of_another_role(client, api_clients):
    api_client, secret = api_clients["amsterdam"]
    response = get_token(client, api_client, secret, scope="uwv.advice")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_wrong_secret_gets_no_token(client, api_clients):
    api_client, _secret = api_clients["uwv"]
    response = get_token(client, api_client, "not-the-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_only_client_credentials_are_accepted(client, api_clients):
    api_client, secret = api_clients["uwv"]
    response = get_token(client, api_client, secret, grant_type="password", username="x")
    assert response.status_code in (400, 401)
    assert "access_token" not in response.json()


def test_a_switched_off_client_gets_no_token_and_its_token_stops_working(client, api_clients):
    api_client, secret = api_clients["uwv"]
    headers = bearer(client, api_client, secret)
    assert client.get("/api/v1/uwv/queue/", **headers).status_code == 200
    api_client.is_active = False
    api_client.save(update_fields=["is_active"])
    assert client.get("/api/v1/uwv/queue/", **headers).status_code == 401
    assert get_token(client, api_client, secret).status_code == 401


def test_tokens_are_kept_as_hashes_and_never_taken_from_an_address(client, api_clients):
    from oauth2_provider.models import AccessToken

    api_client, secret = api_clients["uwv"]
    token = get_token(client, api_client, secret).json()["access_token"]
    assert AccessToken.objects.filter(application=api_client.application).exists()
    assert not AccessToken.objects.filter(token=token).exists()
    assert client.get(f"/api/v1/uwv/queue/?access_token={token}").status_code == 401
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/uwv/queue/", **headers).status_code == 200


def test_the_api_account_cannot_sign_in_on_the_website(client, api_clients):
    api_client, _secret = api_clients["amsterdam"]
    assert not api_client.account.has_usable_password()
    assert api_client.account.email.endswith(".invalid")


# -- the same refusals as the pages -----------------------------------------------------------


def test_a_second_decision_is_refused_with_the_pages_status_and_code(client, world, api_clients):
    case = world["advised"]
    headers = bearer(client, *api_clients["amsterdam"])
    url = f"/api/v1/cases/{case.pk}/decision/"
    first = client.post(url, {"positive": True}, content_type="application/json", **headers)
    assert first.status_code == 201
    assert first.json()["positive"] and first.json()["follows_advice"]
    assert Decision.objects.get(case=case).decided_by == api_clients["amsterdam"][0].account

    again = client.post(url, {"positive": True}, content_type="application/json", **headers)
    consultant = UserFactory(consultant=True, municipality=case.municipality)
    page = sign_in(client, consultant).post(
        reverse("work:case_decide", args=[case.pk]), {"decide-positive": "yes"}
    )
    assert again.status_code == page.status_code == 400
    assert again.json()["code"] == "already_decided"
    assert again.json()["detail"] in page.content.decode()


@pytest.mark.parametrize(
    ("state", "code"),
    [(CaseState.WITH_UWV, "no_advice"), (CaseState.AWAITING_PLACEMENT, "already_decided")],
)
def test_a_decision_the_state_does_not_allow_is_refused_as_on_the_page(
    client, amsterdam, api_clients, state, code
):
    case = case_in(amsterdam, state)
    api = client.post(
        f"/api/v1/cases/{case.pk}/decision/",
        {"positive": True},
        content_type="application/json",
        **bearer(client, *api_clients["amsterdam"]),
    )
    page = sign_in(client, UserFactory(consultant=True, municipality=amsterdam)).post(
        reverse("work:case_decide", args=[case.pk]), {"decide-positive": "yes"}
    )
    assert api.status_code == page.status_code == 400
    assert api.json()["code"] == code
    assert api.json()["detail"] in page.content.decode()


def test_placement_beyond_capacity_is_refused_as_on_the_page(client, amsterdam, api_clients):
    amsterdam.quotas.update(places=1)
    case_in(amsterdam, CaseState.EMPLOYED)  # 31 hours: the one place is taken
    case = case_in(amsterdam, CaseState.AWAITING_PLACEMENT)
    response = client.post(
        f"/api/v1/cases/{case.pk}/placement/",
        placement(),
        content_type="application/json",
        **bearer(client, *api_clients["amsterdam"]),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "no_place_left"
    assert "Er is geen plek meer" in response.json()["detail"]
    assert not Employment.objects.filter(case=case).exists()


def test_an_advice_that_does_not_match_the_findings_is_refused(client, amsterdam, api_clients):
    case = at_uwv(amsterdam)
    response = client.post(
        f"/api/v1/uwv/cases/{case.pk}/advice/",
        POSITIVE_ADVICE | {"needs_supervision": False},
        content_type="application/json",
        **bearer(client, *api_clients["uwv"]),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "outcome_mismatch"
    assert not Advice.objects.filter(case=case).exists()


def test_an_advice_without_findings_is_refused_in_dutch(client, amsterdam, api_clients):
    case = at_uwv(amsterdam)
    response = client.post(
        f"/api/v1/uwv/cases/{case.pk}/advice/",
        {"outcome": "negative", "reasons": "Geen toezicht nodig."},
        content_type="application/json",
        **bearer(client, *api_clients["uwv"]),
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Leg de bevindingen over het arbeidsvermogen vast.",
        "code": "work_capacity_required",
    }


def test_uwv_records_the_advice_and_the_municipality_reads_it(client, amsterdam, api_clients):
    case = at_uwv(amsterdam)
    response = client.post(
        f"/api/v1/uwv/cases/{case.pk}/advice/",
        POSITIVE_ADVICE,
        content_type="application/json",
        **bearer(client, *api_clients["uwv"]),
    )
    assert response.status_code == 201
    assert response.json()["outcome"] == "positive"
    case.refresh_from_db()
    assert case.state == CaseState.ADVICE_ISSUED
    assert case.advice.assessor == api_clients["uwv"][0].account
    seen = client.get(f"/api/v1/cases/{case.pk}/", **bearer(client, *api_clients["amsterdam"]))
    assert seen.json()["advice"]["outcome"] == "positive"
    assert seen.json()["state"] == "advice_issued"


def test_a_placement_by_a_listed_employer_takes_its_name_and_kind(
    client, amsterdam, rotterdam, api_clients
):
    from municipalities.models import Employer

    own = Employer.objects.create(municipality=amsterdam, name="SW Amsterdam", kind="municipality")
    other = Employer.objects.create(
        municipality=rotterdam, name="SW Rotterdam", kind="municipality"
    )
    case = case_in(amsterdam, CaseState.AWAITING_PLACEMENT)
    headers = bearer(client, *api_clients["amsterdam"])
    url = f"/api/v1/cases/{case.pk}/placement/"
    body = placement(employer_name="")
    del body["workplace_kind"]
    refused = client.post(
        url, body | {"employer": other.pk}, content_type="application/json", **headers
    )
    assert refused.status_code == 400
    assert "employer" in refused.json()
    placed = client.post(
        url, body | {"employer": own.pk}, content_type="application/json", **headers
    )
    assert placed.status_code == 201, placed.content
    assert placed.json()["employer_name"] == "SW Amsterdam"
    assert placed.json()["workplace_kind"] == "municipality"
    case.refresh_from_db()
    assert case.state == CaseState.EMPLOYED


@pytest.mark.parametrize("hours", ["0", "-3", "60.5"])
def test_placement_hours_out_of_range_are_refused_in_dutch(client, amsterdam, api_clients, hours):
    case = case_in(amsterdam, CaseState.AWAITING_PLACEMENT)
    response = client.post(
        f"/api/v1/cases/{case.pk}/placement/",
        placement(hours_per_week=hours),
        content_type="application/json",
        **bearer(client, *api_clients["amsterdam"]),
    )
    assert response.status_code == 400
    assert "meer dan 0 en hoogstens 60 uur" in str(response.json()["hours_per_week"])


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", '{"positive": "perhaps"}', "{}"],
)
def test_bad_input_is_a_400_never_a_500(client, world, api_clients, body):
    response = client.post(
        f"/api/v1/cases/{world['advised'].pk}/decision/",
        body,
        content_type="application/json",
        **bearer(client, *api_clients["amsterdam"]),
    )
    assert response.status_code == 400
    assert not Decision.objects.filter(case=world["advised"]).exists()


def test_a_bad_filter_or_cursor_is_a_400_or_ignored(client, world, api_clients):
    headers = bearer(client, *api_clients["amsterdam"])
    assert client.get("/api/v1/cases/?state=nonsense", **headers).status_code == 400
    assert client.get("/api/v1/decisions/?after=abc", **headers).status_code == 400
    assert client.get("/api/v1/waiting-list/?position=0", **headers).status_code == 400
    assert client.get("/api/v1/cases/?after=%00", **headers).status_code == 400
    # A cursor that cannot be read starts at the beginning, as on the work list page.
    assert client.get("/api/v1/cases/?after=yesterday~x", **headers).status_code == 200


# -- the audit ----------------------------------------------------------------------------


def test_every_call_is_audited_with_the_client_and_the_case(client, world, api_clients):
    api_client, secret = api_clients["amsterdam"]
    headers = bearer(client, api_client, secret)
    case = world["advised"]
    client.get(f"/api/v1/cases/{case.pk}/", **headers)
    call = AuditEntry.objects.get(action="api_case")
    assert call.actor == api_client.account
    assert call.object_type == "case" and call.object_id == str(case.pk)
    assert call.result == "ok" and call.message == "200"
    assert call.origin.startswith(f"api client {api_client.pk} ")
    assert call.origin.endswith(f"GET /api/v1/cases/{case.pk}/")
    view = AuditEntry.objects.get(action="view_personal_data", object_id=str(case.pk))
    assert view.actor == api_client.account

    client.get("/api/v1/cases/", **headers)
    assert AuditEntry.objects.get(action="api_case_list").object_type == "api"

    url = f"/api/v1/cases/{case.pk}/decision/"
    client.post(url, {"positive": True}, content_type="application/json", **headers)
    client.post(url, {"positive": True}, content_type="application/json", **headers)
    actions = AuditEntry.objects.filter(action="record_decision").order_by("id")
    assert [entry.result for entry in actions] == ["ok", "refused"]
    for entry in actions:
        assert entry.actor == api_client.account
        assert entry.origin.startswith(f"api client {api_client.pk} ")
        assert entry.origin.endswith(f"POST {url}")
    assert list(
        AuditEntry.objects.filter(action="api_decision")
        .order_by("id")
        .values_list("result", "message")
    ) == [("ok", "201"), ("refused", "400")]


def test_refused_calls_are_audited_too(client, world, api_clients):
    api_client, secret = api_clients["rotterdam"]
    client.get(f"/api/v1/cases/{world['advised'].pk}/", **bearer(client, api_client, secret))
    entry = AuditEntry.objects.get(action="api_case")
    assert (entry.result, entry.message, entry.actor) == ("refused", "404", api_client.account)
    assert not AuditEntry.objects.filter(action="view_personal_data").exists()


def test_no_bsn_in_the_audit_or_in_any_list(client, world, api_clients):
    bsn = world["advised"].person.bsn
    headers = bearer(client, *api_clients["amsterdam"])
    for url in ("/api/v1/cases/", "/api/v1/decisions/", "/api/v1/placements/"):
        assert bsn not in client.get(url, **headers).content.decode()
    queue = client.get("/api/v1/uwv/queue/", **bearer(client, *api_clients["uwv"]))
    assert world["at_uwv"].person.bsn not in queue.content.decode()
    detail = client.get(f"/api/v1/cases/{world['advised'].pk}/", **headers).json()
    assert detail["person"]["bsn"] == bsn
    for entry in AuditEntry.objects.all():
        assert bsn not in f"{entry.origin} {entry.message} {entry.object_id}"


# -- rate limits --------------------------------------------------------------------------


def test_a_client_over_its_rate_is_answered_429_others_are_not(
    client, world, api_clients, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "3/min"},
    }
    amsterdam = bearer(client, *api_clients["amsterdam"])
    statuses = [client.get("/api/v1/cases/", **amsterdam).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/cases/", **amsterdam)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert (
        client.get("/api/v1/cases/", **bearer(client, *api_clients["rotterdam"])).status_code == 200
    )
    assert AuditEntry.objects.filter(action="api_case_list", message="429").count() == 2


def test_token_requests_are_limited_per_address(client, api_clients, settings):
    rates = {"api_client": "300/min", "api_token": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api_client, secret = api_clients["uwv"]
    statuses = [get_token(client, api_client, "wrong").status_code for _ in range(2)]
    assert statuses == [401, 401]
    refused = get_token(client, api_client, secret)
    assert refused.status_code == 429
    assert refused.json()["error"] == "slow_down"
    assert int(refused["Retry-After"]) > 0


def test_with_redis_away_the_api_still_answers(client, world, api_clients, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.1,
                "SOCKET_TIMEOUT": 0.1,
            },
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "1/min"},
    }
    headers = bearer(client, *api_clients["amsterdam"])
    assert [client.get("/api/v1/cases/", **headers).status_code for _ in range(2)] == [200, 200]
    assert client.get("/api/v1/waiting-list/", **headers).status_code == 200
