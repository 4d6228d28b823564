"""Inzage (AVG art. 15): everything the portal holds about a signed-in citizen, as one
structure, written out as JSON (for a computer: every field, codes and labels) and as a
tagged PDF/UA-1 (for people).

What is about them: their account; each person whose account it is (themselves, or the child
or other person they applied for) and every case of those persons, with the application, the
advice, the decision, objections and appeals, terms, jobs, periods of unavailability, places
refused, provisions, where they stand in the order, documents (a list, with a download link
for those on the case page), both conversations (those between UWV and the municipality too:
what they say about the person is personal data), the case history; their correction
requests, applications not sent yet, notifications, the BSNs entered per day (counted, the
hashes are not data anyone can read), and who viewed or changed their file and when.

What is about others is left out: the names of staff (their role and organisation are given,
as the AVG requires; CJEU C-579/21), other candidates (never named, not even the one placed
out of turn before them), and the details the case history keeps of other cases.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from allauth.account.models import EmailAddress
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.audit.models import AuditEntry, CaseEvent
from cases.choices import CaseState, Category, MessageThread, Responsible, Side, TermKind
from cases.documents.models import Document
from cases.models import (
    CANDIDATE_STATES,
    ApplicationDraft,
    BsnEntry,
    Case,
    Objection,
    Person,
)
from cases.notifications.models import Message, Notification, NotificationKind
from cases.placement import capacity
from cases.placement.models import AvailabilityPeriod, Employment, PassedOver, PlaceRefusal
from cases.provisions.models import SupportProvision
from cases.terms.models import Term
from portal.links import portal_url
from portal.models import Role

from .models import CorrectionRequest


def _label(choices, value) -> str:
    """The label of ``value`` among ``choices`` (the code itself if unknown)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _fields(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def who(actor, user) -> str:
    """Who did something, as the citizen is told: themselves, the portal, or a member of
    staff by role and organisation (never by name)."""
    if actor is None:
        return _("The portal itself (automatic)")
    if actor.pk == user.pk:
        return _("You")
    role = Role(actor.role)
    if role in (Role.CONSULTANT, Role.MUNICIPAL_ADMIN) and actor.municipality_id:
        return _("%(role)s of the municipality of %(municipality)s") % {
            "role": role.label,
            "municipality": actor.municipality.name,
        }
    if role is Role.UWV_ASSESSOR:
        return _("An assessor of UWV")
    if role is Role.OPERATOR:
        return _("A technical administrator of the portal")
    return str(role.label)


#: What an audit entry says it was, for the citizen (by action; the rest "worked on").
ACTION_LABELS = {
    "view_personal_data": gettext_lazy("looked at"),
    "personal_data_export": gettext_lazy("downloaded all data"),
    "file_correction_request": gettext_lazy("asked for a correction"),
    "answer_correction_request": gettext_lazy("answered a request for a correction"),
    "anonymise_after_retention": gettext_lazy("anonymised after the retention period"),
    "delete_after_retention": gettext_lazy("deleted after the retention period"),
}


def _action_label(entry: AuditEntry) -> str:
    if entry.action == "view_personal_data" and entry.object_type == "document":
        return str(_("opened a document"))
    return str(ACTION_LABELS.get(entry.action, _("worked on")))


def _cases(user):
    return list(
        Case.objects.filter(person__account=user)
        .select_related(
            "person",
            "municipality",
            "application",
            "advice",
            "decision",
            "decision__verordening",
            "decision__decided_by",
            "decision__decided_by__municipality",
        )
        .prefetch_related(
            Prefetch(
                "objections",
                queryset=Objection.objects.select_related("appeal").order_by("filed_on", "id"),
            ),
            Prefetch("terms", queryset=Term.objects.order_by("starts_on", "id")),
            Prefetch("employments", queryset=Employment.objects.order_by("start_on", "id")),
            Prefetch(
                "unavailability",
                queryset=AvailabilityPeriod.objects.order_by("unavailable_from", "id"),
            ),
            Prefetch("place_refusals", queryset=PlaceRefusal.objects.order_by("refused_on", "id")),
            Prefetch(
                "passed_over_by",
                queryset=PassedOver.objects.select_related("employment").order_by("id"),
            ),
            Prefetch("provisions", queryset=SupportProvision.objects.order_by("starts_on", "id")),
            Prefetch("documents", queryset=Document.objects.order_by("uploaded_at", "id")),
            Prefetch("messages", queryset=Message.objects.order_by("sent_at", "id")),
            Prefetch("events", queryset=CaseEvent.objects.order_by("at", "id")),
            Prefetch(
                "correction_requests",
                queryset=CorrectionRequest.objects.order_by("received_on", "id"),
            ),
        )
        .order_by("created_at", "id")
    )


def _side(side: str) -> str:
    return _("You") if side == Side.APPLICANT else _label(Side, side)


def _case(case: Case, user, standing) -> dict:
    application = getattr(case, "application", None)
    advice = getattr(case, "advice", None)
    decision = getattr(case, "decision", None)
    return {
        "reference": case.reference,
        "person": f"{case.person.first_name} {case.person.last_name}".strip(),
        "municipality": case.municipality.name,
        "state": case.state,
        "state_label": _label(CaseState, case.state),
        **_fields(
            case,
            [
                "created_at",
                "submitted_at",
                "closed_at",
                "positive_advice_on",
                "positive_decision_on",
                "priority_group",
                "council_position",
                "deemed_refusal_on",
            ],
        ),
        "application": application
        and {
            "applicant_kind": application.applicant_kind,
            "applicant_kind_label": application.get_applicant_kind_display(),
            "submitted_by_you": application.submitted_by_id == user.pk,
            **_fields(
                application,
                [
                    "representative_name",
                    "representative_relationship",
                    "letter_street",
                    "letter_postcode",
                    "letter_city",
                    "received_on",
                    "changed_circumstances",
                    "support_needed",
                    "needs_adaptations",
                    "needs_supervision",
                    "preselection_done_on",
                    "preselection_notes",
                ],
            ),
            "source_label": application.get_source_display(),
        },
        "advice": advice
        and {
            "outcome": advice.outcome,
            "outcome_label": advice.get_outcome_display(),
            **_fields(
                advice,
                [
                    "needs_adaptations",
                    "needs_supervision",
                    "can_perform_task",
                    "basic_employee_skills",
                    "hours_at_a_stretch",
                    "hours_per_day",
                    "without_investigation",
                    "once_a_year_rule",
                    "reasons",
                    "issued_on",
                ],
            ),
            "by": _("UWV"),
        },
        "decision": decision
        and {
            **_fields(
                decision,
                ["positive", "follows_advice", "deviation_reason", "sent_on", "place_refused_on"],
            ),
            "by": who(decision.decided_by, user),
        },
        "objections": [
            {
                **_fields(
                    objection,
                    [
                        "filed_on",
                        "posted_on",
                        "grounds",
                        "in_time",
                        "decided_on",
                        "deviation_reason",
                    ],
                ),
                "outcome_label": objection.get_outcome_display(),
                "appeal": (
                    {
                        **_fields(objection.appeal, ["filed_on", "court", "decided_on"]),
                        "outcome_label": objection.appeal.get_outcome_display(),
                    }
                    if hasattr(objection, "appeal")
                    else None
                ),
            }
            for objection in case.objections.all()
        ],
        "terms": [
            {
                "kind": term.kind,
                "kind_label": _label(TermKind, term.kind),
                **_fields(term, ["starts_on", "end_on", "suspended_since", "met_on"]),
            }
            for term in case.terms.all()
        ],
        "employments": [
            {
                **_fields(
                    job,
                    [
                        "employer_name",
                        "hours_per_week",
                        "start_on",
                        "end_on",
                        "contract_ends_on",
                        "agreed_wage",
                        "agreed_wage_per_hour",
                        "wage_value_pct",
                        "max_monthly_subsidy",
                        "ended_reason",
                        "out_of_turn_reason",
                        "to_jobs_agreement",
                    ],
                ),
                "workplace_kind_label": job.get_workplace_kind_display(),
                "contract_kind_label": job.get_contract_kind_display(),
                "funding_kind_label": job.get_funding_kind_display(),
            }
            for job in case.employments.all()
        ],
        "unavailability": [
            {
                "reason_label": period.get_reason_display(),
                **_fields(period, ["unavailable_from", "available_again_on"]),
            }
            for period in case.unavailability.all()
        ],
        "place_refusals": [
            _fields(refusal, ["refused_on", "employer_name", "job", "reason", "must_accept"])
            for refusal in case.place_refusals.all()
        ],
        # Only the day: who was placed before them, and why, is about someone else.
        "passed_over_on": [row.employment.start_on for row in case.passed_over_by.all()],
        "provisions": [
            {
                "kind_label": provision.get_kind_display(),
                "payer_label": provision.get_payer_display(),
                **_fields(
                    provision,
                    ["description", "provider", "starts_on", "ends_on", "monthly_cost"],
                ),
            }
            for provision in case.provisions.all()
        ],
        "standing": standing
        and {
            "category": standing.category,
            "category_label": _label(Category, standing.category),
            "waiting_place": standing.waiting_place,
            "responsible_label": _label(Responsible, standing.responsible),
        },
        "documents": [
            {
                "name": document.original_name,
                "content_type": document.content_type,
                "size": document.size,
                "uploaded_at": document.uploaded_at,
                "added_by": _side(document.added_by_side),
                "on_your_case_page": document.visible_to_applicant,
                "download_url": portal_url("citizen:document_download", case.pk, document.pk)
                if document.visible_to_applicant
                else "",
            }
            for document in case.documents.all()
        ],
        "messages": [
            {
                "conversation": _label(MessageThread, message.thread),
                "from": _side(message.sender_side),
                "on_your_case_page": message.visible_to_applicant,
                **_fields(message, ["sent_at", "subject", "body", "read_by_applicant_at"]),
            }
            for message in case.messages.all()
        ],
        "history": [
            {
                "at": event.at,
                "event": event.action,
                "from_state_label": _label(CaseState, event.from_state) if event.from_state else "",
                "to_state_label": _label(CaseState, event.to_state) if event.to_state else "",
            }
            for event in case.events.all()
        ],
        "correction_requests": [
            {
                "state_label": request.get_state_display(),
                **_fields(
                    request,
                    [
                        "received_on",
                        "due_on",
                        "what_is_wrong",
                        "what_it_should_be",
                        "answer",
                        "answered_at",
                    ],
                ),
            }
            for request in case.correction_requests.all()
        ],
    }


def _access_log(user, cases: list[Case], drafts: list[ApplicationDraft]) -> list[dict]:
    """Who viewed or changed the citizen's file, when, and with what result: every audit
    entry about their cases, persons, documents and requests, and everything they did."""
    subjects: dict[tuple[str, str], str] = {}
    for case in cases:
        subjects[("case", str(case.pk))] = case.reference
        subjects[("person", str(case.person_id))] = _("your personal details")
        for document in case.documents.all():
            subjects[("document", str(document.pk))] = document.original_name
        for objection in case.objections.all():
            subjects[("objection", str(objection.pk))] = case.reference
            if hasattr(objection, "appeal"):
                subjects[("appeal", str(objection.appeal.pk))] = case.reference
        for job in case.employments.all():
            subjects[("employment", str(job.pk))] = case.reference
        for provision in case.provisions.all():
            subjects[("provision", str(provision.pk))] = case.reference
        for request in case.correction_requests.all():
            subjects[("correction_request", str(request.pk))] = case.reference
    for draft in drafts:
        subjects[("application_draft", str(draft.pk))] = _("your application")
    by_type: dict[str, list[str]] = defaultdict(list)
    for object_type, object_id in subjects:
        by_type[object_type].append(object_id)
    condition = Q(actor=user)
    for object_type, ids in by_type.items():
        condition |= Q(object_type=object_type, object_id__in=ids)
    entries = (
        AuditEntry.objects.filter(condition)
        .select_related("actor", "actor__municipality")
        .order_by("at", "id")
    )
    return [
        {
            "at": entry.at,
            "who": who(entry.actor, user),
            "what": _action_label(entry),
            "about": subjects.get((entry.object_type, entry.object_id), ""),
            "action": entry.action,
            "result": entry.result,
            "result_label": entry.get_result_display(),
        }
        for entry in entries
    ]


def personal_data(user, *, today: date | None = None) -> dict:
    """Everything the portal holds about ``user`` (a citizen), nothing about anyone else."""
    today = today or timezone.localdate()
    cases = _cases(user)
    standings = capacity.candidate_standings(
        [case.pk for case in cases if case.state in CANDIDATE_STATES], on=today
    )
    persons = list(
        Person.objects.filter(account=user).select_related("municipality").order_by("id")
    )
    drafts = list(ApplicationDraft.objects.filter(owner=user).order_by("created_at", "id"))
    notifications = (
        Notification.objects.filter(
            Q(recipient=user) | Q(case__in=[case.pk for case in cases], recipient__isnull=True)
        )
        .select_related("case")
        .order_by("created_at", "id")
    )
    bsn_days: dict[date, int] = defaultdict(int)
    for day in BsnEntry.objects.filter(account=user).values_list("day", flat=True):
        bsn_days[day] += 1
    return {
        "made_on": timezone.now(),
        "account": {
            **_fields(
                user, ["email", "first_name", "last_name", "phone", "date_joined", "last_login"]
            ),
            "email_addresses": [
                _fields(address, ["email", "verified", "primary"])
                for address in EmailAddress.objects.filter(user=user).order_by("id")
            ],
        },
        "persons": [
            {
                **_fields(
                    person,
                    [
                        "bsn",
                        "first_name",
                        "last_name",
                        "birth_date",
                        "email",
                        "phone",
                        "wsw_indication_end",
                        "wsw_supported_employment",
                        "in_jobs_register",
                    ],
                ),
                "municipality": person.municipality.name,
                "benefit_kind_label": person.get_benefit_kind_display(),
            }
            for person in persons
        ],
        "cases": [_case(case, user, standings.get(case.pk)) for case in cases],
        "drafts": [
            _fields(draft, ["created_at", "updated_at", "submitted_at", "answers"])
            for draft in drafts
        ],
        "notifications": [
            {
                "case": notification.case.reference,
                "kind_label": _label(NotificationKind, notification.kind),
                "channel_label": notification.get_channel_display(),
                **_fields(notification, ["created_at", "email", "sent_at", "read_at"]),
            }
            for notification in notifications
        ],
        "bsn_entries": [{"day": day, "count": count} for day, count in sorted(bsn_days.items())],
        "access_log": _access_log(user, cases, drafts),
    }


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def as_pdf(data: dict) -> bytes:
    """The same data as a tagged PDF/UA-1, in Dutch (like the decision letter)."""
    from weasyprint import HTML

    with translation.override("nl"):
        html = render_to_string("cases/letters/personal_data.html", {"data": data})
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
