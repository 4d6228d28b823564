"""Two tabs send the same application at the same moment: real parallel transactions on
PostgreSQL. ``services.submit_draft`` claims the draft with one conditional UPDATE, so exactly
one case is made and both requests end on the same receipt."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from cases import services
from cases.choices import ApplicantKind, BenefitKind, CandidateSource
from cases.models import AowAge, Application, ApplicationDraft, Case
from cases.rules import AOW_AGES
from tests.factories import MunicipalityFactory, UserFactory, valid_bsn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises every write transaction; CI runs this on PostgreSQL",
    ),
]


def test_two_simultaneous_submissions_make_one_case():
    for row in AOW_AGES:
        AowAge.objects.get_or_create(
            year=row.year, defaults={"years": row.years, "months": row.months}
        )
    citizen = UserFactory()
    municipality = MunicipalityFactory()
    draft = ApplicationDraft.objects.create(owner=citizen)
    person_data = {
        "bsn": valid_bsn(9090),
        "first_name": "Sam",
        "last_name": "Twee",
        "email": "s@e.nl",
        "birth_date": dt.date(2000, 1, 1),
        "municipality": municipality,
        "benefit_kind": BenefitKind.NONE,
        "wsw_indication_end": None,
        "wsw_supported_employment": False,
        "phone": "",
    }
    application_data = {
        "applicant_kind": ApplicantKind.PERSON,
        "source": CandidateSource.SELF_REFERRAL,
        "support_needed": "Hulp.",
    }
    barrier = threading.Barrier(2)
    results: list = []

    def send():
        try:
            barrier.wait()
            case = services.submit_draft(
                draft_id=draft.pk,
                actor=citizen,
                person_data=person_data,
                application_data=application_data,
            )
            results.append(case.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert Case.objects.count() == 1 and Application.objects.count() == 1
    case_id = Case.objects.get().pk
    assert results == [case_id, case_id]
