"""Every read, already scoped to the user. Views never query models directly."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass as _dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from municipalities.models import Verordening, WageSubsidyYear, YearlyQuota
from portal.cache import versioned
from portal.models import MUNICIPAL_ROLES, Role, User
from portal.permissions import (
    can_see_application_content,
    can_see_document,
    can_see_message,
    municipality_sees_application_content,
    role_of,
    scope_to_user,
    side_of,
)

from . import rules
from .audit.models import CaseEvent
from .choices import (
    AppealOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    ContractKind,
    FundingKind,
    MessageThread,
    Side,
    TermKind,
    TermState,
)
from .documents.models import Document
from .models import (
    Advice,
    AowAge,
    Appeal,
    ApplicationDraft,
    Case,
    Decision,
    Objection,
    Person,
    SavedFilter,
)
from .notifications.models import Message
from .placement.capacity import hours_sum, running_on, taken_in_year
from .placement.models import AvailabilityPeriod, Employment, MinimumWage, PlaceRefusal
from .provisions.models import SupportProvision
from .terms.models import Term


def aow_ages() -> tuple[rules.AowAge, ...]:
    """The AOW age per year as operators keep it (DOMAIN §1.3), for ``rules.age_check``.

    An empty table (a database flushed without its reference data) falls back to the law's
    table in ``rules.AOW_AGES`` rather than refusing every application.
    """
    rows = tuple(
        rules.AowAge(row.year, row.years, row.months) for row in AowAge.objects.order_by("year")
    )
    return rows or rules.AOW_AGES


def verordening_in_force(municipality_id: int, on: date) -> Verordening | None:
    """The version of the municipality's verordening in force on ``on`` (DOMAIN §5)."""
    return (
        Verordening.objects.filter(municipality_id=municipality_id, in_force_from__lte=on)
        .order_by("-in_force_from")
        .first()
    )


def last_advice_date(person: Person, *, exclude_case_id: int | None = None) -> date | None:
    """The date of the person's most recent UWV advice (for the 12-month rule, §1.2), on any
    record of their BSN: to UWV a possible duplicate (``Person.duplicate_of``) is the same
    person."""
    advices = Advice.objects.filter(case__person__bsn=person.bsn)
    if exclude_case_id is not None:
        advices = advices.exclude(case_id=exclude_case_id)
    return advices.order_by("-issued_on").values_list("issued_on", flat=True).first()


def advice_in_force(person_id: int) -> Advice | None:
    """§2.6: the person's advice in force: the latest UWV issued, whichever case of their
    file it was given on (``rules.advice_in_force``: the later of two on the same day)."""
    return Advice.objects.filter(case__person_id=person_id).order_by("-issued_on", "-id").first()


def person_works(person_id: int, *, exclude_case_id: int | None = None) -> bool:
    """Whether the person has a running sheltered job (on another case of their file)."""
    jobs = Employment.objects.filter(case__person_id=person_id, end_on__isnull=True)
    if exclude_case_id is not None:
        jobs = jobs.exclude(case_id=exclude_case_id)
    return jobs.exists()


def realised_places(municipality_id: int, *, on: date) -> Decimal:
    """Places realised on ``on``: the hours of the employments running that day summed and
    divided by 31 once (``rules.realised_places``; exact, round it only to show it; DOMAIN
    §4.2)."""
    total = Employment.objects.filter(running_on(on), municipality_id=municipality_id).aggregate(
        total=hours_sum()
    )["total"]
    return rules.realised_places(Decimal(total or 0), settings.HOURS_PER_PLACE)


# -- citizens (issue #4) ------------------------------------------------------------------


def cases_for_citizen(user):
    """The cases of the person(s) whose account is ``user``; nothing for anyone else."""
    if role_of(user) is not Role.CITIZEN:
        return Case.objects.none()
    return (
        Case.objects.filter(person__account=user)
        .select_related("person", "municipality")
        .prefetch_related(Prefetch("terms", queryset=Term.objects.order_by("starts_on", "id")))
        .order_by("-created_at", "-id")
    )


def citizen_case_list(user):
    """The citizen's cases for *Mijn aanvragen*, each with ``unread_messages``: the messages
    new to them (issue #22), counted in the same query."""
    unread = (
        Message.objects.filter(case=OuterRef("pk"))
        .filter(unread_messages_q(Side.APPLICANT))
        .order_by()
        .values("case")
        .annotate(count=Count("id"))
        .values("count")
    )
    return cases_for_citizen(user).annotate(unread_messages=Subquery(unread))


def get_case_for_citizen(user, pk):
    """One case of the citizen, with everything the case page shows, in a fixed number of
    queries (independent of the number of events); ``Http404`` for anyone else's case."""
    queryset = (
        cases_for_citizen(user)
        .select_related("application", "advice", "decision", "decision__verordening", "draft")
        .prefetch_related(
            Prefetch(
                "objections",
                queryset=Objection.objects.select_related("appeal").order_by("filed_on", "id"),
            ),
            Prefetch(
                "messages",
                queryset=Message.objects.filter(visible_to_applicant=True).order_by(
                    "sent_at", "id"
                ),
            ),
            Prefetch("provisions", queryset=SupportProvision.objects.order_by("starts_on", "id")),
            Prefetch(
                "documents",
                queryset=Document.objects.filter(visible_to_applicant=True).order_by(
                    "uploaded_at", "id"
                ),
            ),
            Prefetch("place_refusals", queryset=PlaceRefusal.objects.order_by("refused_on", "id")),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def get_document_for_citizen(user, pk: int, document_pk: int):
    """A document of one of the citizen's own cases that is meant for them; 404 otherwise."""
    case = get_object_or_404(cases_for_citizen(user).select_related("application", "advice"), pk=pk)
    return case_document(case, document_pk, user)


def drafts_for_citizen(user):
    """The citizen's applications not yet sent."""
    return ApplicationDraft.objects.filter(owner=user, submitted_at__isnull=True).order_by(
        "-updated_at", "-id"
    )


def get_draft_for_citizen(user, pk):
    return get_object_or_404(drafts_for_citizen(user), pk=pk)


def person_for_account(user):
    """The person record linked to the citizen's account, if any (for prefilling)."""
    return Person.objects.filter(account=user).order_by("-id").first()


def possible_duplicate_of(case: Case):
    """For a case the caller already fetched for the user (``get_work_case_for``): the person
    on file under the same BSN as the case's person, with ``case_count``, while staff have not
    linked them (issue #18); else None. Only a person of the case's own municipality: that a
    file exists elsewhere is another municipality's data (and reveals a disability)."""
    if case.person.duplicate_of_id is None:
        return None
    return (
        Person.objects.filter(pk=case.person.duplicate_of_id, municipality_id=case.municipality_id)
        .select_related("municipality")
        .annotate(case_count=Count("cases"))
        .first()
    )


# -- professionals (issue #5): work list, UWV queue, dashboard, case page -------------------

#: States in which a case is at UWV (the assessor's queue).
AT_UWV_STATES = [CaseState.SUBMITTED, CaseState.WITH_UWV]
#: Days before its end that a UWV term counts as nearly due.
NEARLY_DUE_DAYS = 7


@_dataclass(frozen=True)
class Page:
    """One keyset page: the rows and the cursor of the next page (None: last page)."""

    rows: list
    next_cursor: str | None


def encode_cursor(when, pk: int) -> str:
    return f"{when.isoformat()}~{pk}"


#: The highest id a cursor the lists wrote can hold (its dates: ``rules.DATE_YEARS``).
CURSOR_MAX_ID = 2**63 - 1


def decode_cursor(cursor: str | None, parse) -> tuple | None:
    """The (date or time, id) of a cursor ``encode_cursor`` wrote; None for anything else
    (the list then starts at its first page)."""
    if not cursor or "~" not in cursor:
        return None
    value, _sep, pk = cursor.rpartition("~")
    try:
        when, key = parse(value), int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    naive = isinstance(when, _dt.datetime) and when.tzinfo is None  # ours are aware
    if naive or when.year not in rules.DATE_YEARS or not 0 < key <= CURSOR_MAX_ID:
        return None
    return when, key


def _open_terms(**extra) -> QuerySet[Term]:
    """The open terms of the outer case that the municipality watches (``rules.WATCHED_TERMS``:
    not the person's objection term, which simply runs out)."""
    return Term.objects.filter(
        case=OuterRef("pk"), met_on__isnull=True, kind__in=rules.WATCHED_TERMS, **extra
    )


def _term_state_q(term_state: str, today: _dt.date) -> Q:
    if term_state == TermState.OVERDUE:
        return Q(Exists(_open_terms(suspended_since__isnull=True, end_on__lt=today)))
    if term_state == TermState.SUSPENDED:
        return Q(Exists(_open_terms(suspended_since__isnull=False)))
    if term_state == TermState.RUNNING:
        return Q(Exists(_open_terms(suspended_since__isnull=True, end_on__gte=today)))
    return Q()


def work_cases_for(user) -> QuerySet[Case]:
    """The cases a consultant or municipal administrator works: their own municipality's."""
    return scope_to_user(Case.objects.all(), user)


def work_decisions_for(user) -> QuerySet[Decision]:
    """The decisions on the cases of the user's municipality, each with its case, oldest
    first (the API's list, issue #24)."""
    queryset = scope_to_user(Decision.objects.all(), user, municipality_field="case__municipality")
    return queryset.select_related("case").order_by("id")


def work_placements_for(user) -> QuerySet[Employment]:
    """The jobs of the cases of the user's municipality (running or ended), each with its
    case, oldest first (the API's list, issue #24)."""
    queryset = scope_to_user(
        Employment.objects.all(), user, municipality_field="case__municipality"
    )
    return queryset.select_related("case").order_by("id")


#: The rows every page about one case shows, fetched with it.
CASE_RELATED = ("person", "municipality", "application", "advice", "decision")


def planned_employment(case: Case) -> Employment | None:
    """The case's job agreed to start after today, if any (it can still fall through)."""
    return Employment.objects.filter(
        case=case, end_on__isnull=True, start_on__gt=timezone.localdate()
    ).first()


def get_work_case_for(user, pk: int) -> Case:
    """One case of the user's municipality with its person, municipality, application,
    advice and decision; 404 for any other case."""
    return get_object_or_404(work_cases_for(user).select_related(*CASE_RELATED), pk=pk)


def get_case_for_action(user, pk: int, action: rules.CaseAction) -> Case:
    """``get_work_case_for``, and 404 as well unless the case's state allows ``action``
    (``rules.allowed_actions``): the case behind the page of one action."""
    case = get_work_case_for(user, pk)
    decided = getattr(case, "decision", None) is not None
    deemed = case.deemed_refusal_on is not None
    pending = (decided or deemed) and pending_objection(case) is not None
    A = rules.CaseAction
    # Only the action asked for is looked up (appeals, contract, provisions).
    appeal_pending = action == A.DECIDE_APPEAL and pending_appeal(case) is not None
    if action not in rules.allowed_actions(
        case.state,
        decided=decided,
        objection_pending=pending,
        deemed_refused=deemed,
        appealable=action == A.FILE_APPEAL and appealable_objection(case) is not None,
        appeal_pending=appeal_pending,
        fixed_term=action == A.CONTRACT and running_fixed_term(case) is not None,
        open_provision=action == A.END_PROVISION and open_provisions(case).exists(),
        job_not_started=action == A.CANCEL_EMPLOYMENT and planned_employment(case) is not None,
    ):
        raise Http404
    return case


def get_case_document_for(user, pk: int, document_pk: int) -> Document:
    """A document of a case of the user's municipality that the municipality may see
    (``can_see_document``: the application's documents once it may see the application's
    content); 404 otherwise."""
    return case_document(get_work_case_for(user, pk), document_pk, user)


def terms_with_events() -> QuerySet[Term]:
    """A case's terms in the order the pages show them, each with its events (suspended,
    resumed) as ``term.event_list``."""
    return Term.objects.order_by("starts_on", "id").prefetch_related(
        Prefetch("events", to_attr="event_list")
    )


def get_case_page_for(user, pk: int) -> Case:
    """``get_work_case_for`` with the case handler and every list the case page shows, each
    list in one query whatever its length: ``term_list`` (with each term's ``event_list``),
    ``objection_list``, ``employment_list``, ``unavailability_list``, ``document_list``,
    ``history`` (the case's events, oldest first, with who did each) and ``message_list``
    (both conversations, oldest first, with who wrote each)."""
    queryset = (
        work_cases_for(user)
        .select_related(*CASE_RELATED, "assignee")
        .prefetch_related(
            Prefetch("terms", queryset=terms_with_events(), to_attr="term_list"),
            Prefetch(
                "objections",
                queryset=Objection.objects.select_related("appeal").order_by("filed_on", "id"),
                to_attr="objection_list",
            ),
            Prefetch(
                "provisions",
                queryset=SupportProvision.objects.order_by("-starts_on", "-id"),
                to_attr="provision_list",
            ),
            Prefetch(
                "unavailability",
                queryset=AvailabilityPeriod.objects.order_by("-unavailable_from", "-id"),
                to_attr="unavailability_list",
            ),
            Prefetch(
                "documents",
                queryset=Document.objects.select_related("uploaded_by").order_by(
                    "uploaded_at", "id"
                ),
                to_attr="document_list",
            ),
            Prefetch(
                "events",
                queryset=CaseEvent.objects.select_related("actor").order_by("at", "id"),
                to_attr="history",
            ),
            Prefetch(
                "place_refusals",
                queryset=PlaceRefusal.objects.order_by("refused_on", "id"),
                to_attr="place_refusal_list",
            ),
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("sent_by").order_by("sent_at", "id"),
                to_attr="message_list",
            ),
        )
    )
    case = get_object_or_404(queryset, pk=pk)
    case.job_history = employment_history(case)
    case.employment_list = [job for job in case.job_history if job.case_id == case.pk]
    return case


def employment_history(case: Case) -> list[Employment]:
    """§6: every job of the person's file in the case's municipality (a case the caller
    already fetched for the user), newest first, each with its case's reference: the
    employment history on the case page, in one query."""
    return list(
        Employment.objects.filter(
            case__person_id=case.person_id, case__municipality_id=case.municipality_id
        )
        .select_related("case")
        .order_by("-start_on", "-id")
    )


def file_of(case: Case) -> list[Case]:
    """§2.6: the other cases of the person's file in the case's municipality (a case the
    caller already fetched for the user), oldest first, each with its advice."""
    return list(
        Case.objects.filter(person_id=case.person_id, municipality_id=case.municipality_id)
        .exclude(pk=case.pk)
        .select_related("advice")
        .only("reference", "state", "created_at", "advice__outcome", "advice__issued_on")
        .order_by("created_at", "id")
    )


def _worklist_filtered(
    queryset: QuerySet[Case], user, filters: dict, today: _dt.date
) -> QuerySet[Case]:
    """``queryset`` with the work list's ``filters`` (the filter form's and the search term
    ``q``), each row's next term the municipality watches (``term_kind``, ``term_end``,
    ``term_suspended``), in the list's order."""
    state = filters.get("state")
    if state == "at_uwv":
        queryset = queryset.filter(state__in=AT_UWV_STATES)
    elif state == "objection_open":
        queryset = queryset.filter(
            Exists(Objection.objects.filter(case=OuterRef("pk"), outcome=Objection.Outcome.PENDING))
        )
    elif state:
        queryset = queryset.filter(state=state)
    else:
        queryset = queryset.exclude(state__in=[CaseState.WITHDRAWN, CaseState.CLOSED])
    if filters.get("term_state"):
        queryset = queryset.filter(_term_state_q(filters["term_state"], today))
    # The source is the application's content: of a direct one not before the advice.
    if filters.get("source"):
        queryset = queryset.filter(
            Q(application__source=filters["source"]) & municipality_sees_content_q()
        )
    assignee = filters.get("assignee")
    if assignee == "me":
        queryset = queryset.filter(assignee_id=user.pk)
    elif assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee:
        queryset = queryset.filter(assignee_id=assignee)
    if filters.get("school_leavers"):
        queryset = queryset.filter(
            (Q(application__source=CandidateSource.SCHOOL) & municipality_sees_content_q())
            | Q(priority_group=True)
        )
    search = (filters.get("q") or "").strip()
    if search:
        if search.isdigit() and len(search) == 9:
            queryset = queryset.filter(person__bsn=search)
        elif search.upper().startswith("BW-"):
            queryset = queryset.filter(reference__iexact=search)
        else:
            for word in search.split()[:3]:
                queryset = queryset.filter(
                    Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
                )
    first_term = _open_terms().order_by("end_on", "id")
    queryset = queryset.annotate(
        term_kind=Subquery(first_term.values("kind")[:1]),
        term_end=Subquery(first_term.values("end_on")[:1]),
        term_suspended=Subquery(first_term.values("suspended_since")[:1]),
    )
    newest_first = filters.get("sort") == "newest"
    return queryset.order_by(*(("-state_since", "-id") if newest_first else ("state_since", "id")))


def _after(queryset: QuerySet[Case], newest_first: bool, when, pk: int) -> QuerySet[Case]:
    """The rows after the cursor (``when``, ``pk``)."""
    # The plain bound (<= or >=) lets the index start at the cursor; the OR alone would be a
    # filter over every row before it.
    if newest_first:
        return queryset.filter(state_since__lte=when).filter(Q(state_since__lt=when) | Q(id__lt=pk))
    return queryset.filter(state_since__gte=when).filter(Q(state_since__gt=when) | Q(id__gt=pk))


#: What a work-list page shows of each case (``only``: not the person's other data).
WORKLIST_FIELDS = (
    "reference",
    "state",
    "state_since",
    "person",
    "person__first_name",
    "person__last_name",
    "assignee",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)


def worklist(
    user,
    filters: dict,
    *,
    cursor: str | None = None,
    limit: int = 25,
    today: _dt.date | None = None,
) -> Page:
    """The consultant's work list: filtered, keyset-paginated on (state_since, id); each row
    a ``Case`` with its person, case handler, ``term_end`` and ``term_state`` (None: no open
    term).

    One query per page whatever the size of the caseload; never an OFFSET or a COUNT.
    """
    today = today or timezone.localdate()
    queryset = (
        worklist_queryset(user, filters, today=today)
        .select_related(None)
        .select_related("person", "assignee")
        .only(*WORKLIST_FIELDS)
    )
    after = decode_cursor(cursor, _dt.datetime.fromisoformat)
    if after is not None:
        queryset = _after(queryset, filters.get("sort") == "newest", *after)
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].state_since, rows[-1].pk)
    for case in rows:
        case.term_state = None
        if case.term_end is not None:
            case.term_state = rules.term_state(
                case.term_end, today, None, case.term_suspended is not None, case.term_kind
            )
    return Page(rows, next_cursor)


def worklist_queryset(user, filters: dict, *, today: _dt.date) -> QuerySet[Case]:
    """The filtered, ordered work list (no page limit): the page and the exports."""
    queryset = work_cases_for(user).select_related("person", "assignee", "application")
    return _worklist_filtered(queryset, user, filters, today)


def colleagues_of(user) -> QuerySet:
    """Active consultants and administrators of the user's municipality (for assigning); not
    the accounts of API clients."""
    return User.objects.filter(
        municipality_id=user.municipality_id,
        role__in=sorted(MUNICIPAL_ROLES),
        is_active=True,
        api_client__isnull=True,
    ).order_by("last_name", "first_name", "id")


def dashboard_counts(user, *, today: _dt.date | None = None) -> dict:
    """The consultant's dashboard counts in one query over the open cases of their
    municipality (index ``case_municipality_state``); no count over closed history."""
    today = today or timezone.localdate()
    open_cases = (
        work_cases_for(user)
        .filter(
            state__in=[
                s
                for s in CaseState.values
                if s not in (CaseState.DRAFT, CaseState.WITHDRAWN, CaseState.CLOSED)
            ]
        )
        .order_by()
    )
    counts = open_cases.aggregate(
        at_uwv=Count("pk", filter=Q(state__in=AT_UWV_STATES)),
        decisions_due=Count("pk", filter=Q(state=CaseState.ADVICE_ISSUED)),
        awaiting=Count("pk", filter=Q(state=CaseState.AWAITING_PLACEMENT)),
        unavailable=Count("pk", filter=Q(state=CaseState.UNAVAILABLE)),
        employed=Count("pk", filter=Q(state=CaseState.EMPLOYED)),
    )
    # Two small counts from their own tables (open UWV terms past their end; pending
    # objections) instead of a subquery per open case.
    counts["uwv_overdue"] = (
        scope_to_user(Term.objects.all(), user, municipality_field="case__municipality")
        .filter(
            kind=TermKind.UWV_ADVICE,
            met_on__isnull=True,
            suspended_since__isnull=True,
            end_on__lt=today,
            case__state__in=AT_UWV_STATES,
        )
        .count()
    )
    counts["objections_open"] = (
        scope_to_user(Objection.objects.all(), user, municipality_field="case__municipality")
        .filter(outcome=Objection.Outcome.PENDING)
        .count()
    )
    return counts


@_dataclass(frozen=True)
class JobFigures:
    """§4.8: the key figures of the jobs: average days from the positive advice to the start
    (jobs started this year) and average hours a week (jobs running today; about 25 in the
    country against the 31-hour place)."""

    average_days: Decimal | None
    average_hours: Decimal | None


def job_figures(user, today: date) -> JobFigures:
    """``JobFigures`` of the user's municipality, in one query."""
    started = Q(start_on__year=today.year, case__advice__isnull=False)
    result = (
        scope_to_user(Employment.objects.all(), user)
        .filter(Q(start_on__year=today.year) | running_on(today))
        .aggregate(
            average_days=Avg(
                ExpressionWrapper(
                    F("start_on") - F("case__advice__issued_on"), output_field=DurationField()
                ),
                filter=started,
            ),
            average_hours=Avg("hours_per_week", filter=running_on(today)),
        )
    )
    days = result["average_days"]
    if isinstance(days, _dt.timedelta):
        days = Decimal(days.total_seconds() / 86400)
    elif days is not None:
        days = Decimal(days / 86_400_000_000)  # microseconds (SQLite)
    hours = result["average_hours"]
    return JobFigures(
        average_days=days.quantize(Decimal("0.1")) if days is not None else None,
        average_hours=Decimal(hours).quantize(Decimal("0.1")) if hours is not None else None,
    )


def case_document(case: Case, document_pk: int, user) -> Document:
    """One document of ``case`` (the caller has already scoped the case to ``user``) that
    ``user`` may see; 404 otherwise."""
    document = get_object_or_404(case.documents.all(), pk=document_pk)
    if not may_see_document(user, case, document):
        raise Http404
    return document


def may_see_document(user, case: Case, document: Document, *, content: bool | None = None) -> bool:
    """Whether ``user`` may see ``document`` of ``case`` (``portal.permissions``): an
    attachment as its message; ``content``: ``may_see_application_content`` when the caller
    already knows it."""
    if content is None:
        content = may_see_application_content(user, case)
    message_visible = None
    if document.message_id is not None:
        message_visible = may_see_message(user, document.message, content=content)
    return can_see_document(
        user,
        added_by_side=document.added_by_side,
        visible_to_applicant=document.visible_to_applicant,
        visible_to_uwv=document.visible_to_uwv,
        application_content=content,
        message_visible=message_visible,
    )


def may_see_message(user, message: Message, *, content: bool) -> bool:
    """Whether ``user`` may see ``message`` (``portal.permissions.can_see_message``);
    ``content``: ``may_see_application_content`` of its case."""
    return can_see_message(
        user,
        thread=message.thread,
        sender_side=message.sender_side,
        visible_to_applicant=message.visible_to_applicant,
        application_content=content,
    )


@_dataclass(frozen=True)
class Conversation:
    """What one user sees of a case's conversations (issue #22): ``applicant`` (the
    municipality with the applicant) and ``uwv`` (UWV with the municipality), oldest first,
    each message with its ``attachment_list`` and ``is_new`` (unread for the user's side
    until this page was opened); ``documents``: the other documents the user may see;
    ``unread``: the number of messages new to the user's side."""

    applicant: list
    uwv: list
    documents: list
    unread: int


def conversation(user, case: Case, messages, documents) -> Conversation:
    """Shape the case's ``messages`` and ``documents`` (fetched with the case) for ``user``:
    only what they may see."""
    side = side_of(user)
    content = may_see_application_content(user, case)
    shown = [m for m in messages if may_see_message(user, m, content=content)]
    shown_ids = {m.pk for m in shown}
    # An attachment as its message; the other documents by their own rule.
    visible = [
        d
        for d in documents
        if (
            d.message_id in shown_ids
            if d.message_id is not None
            else may_see_document(user, case, d, content=content)
        )
    ]
    attachments: dict[int, list] = {}
    for document in visible:
        if document.message_id is not None:
            attachments.setdefault(document.message_id, []).append(document)
    threads: dict[str, list] = {MessageThread.APPLICANT: [], MessageThread.UWV: []}
    unread = 0
    for message in shown:
        message.attachment_list = attachments.get(message.pk, [])
        message.is_new = message.sender_side != side and unread_by(message, side)
        unread += message.is_new
        threads[message.thread].append(message)
    return Conversation(
        applicant=threads[MessageThread.APPLICANT],
        uwv=threads[MessageThread.UWV],
        documents=[d for d in visible if d.message_id is None],
        unread=unread,
    )


#: The read state of each side (``Message.read_by_<side>_at``).
READ_FIELD = {
    Side.APPLICANT: "read_by_applicant_at",
    Side.MUNICIPALITY: "read_by_municipality_at",
    Side.UWV: "read_by_uwv_at",
}


def unread_by(message: Message, side: str | None) -> bool:
    return side in READ_FIELD and getattr(message, READ_FIELD[side]) is None


def unread_messages_q(side: str, prefix: str = "") -> Q:
    """Messages of a case new to ``side``: shown to it, written by another side, not yet read
    by it (``prefix``: the path to the messages, such as ``"messages__"``)."""
    q = Q(**{f"{prefix}{READ_FIELD[side]}__isnull": True}) & ~Q(**{f"{prefix}sender_side": side})
    if side == Side.APPLICANT:
        q &= Q(**{f"{prefix}visible_to_applicant": True})
    elif side == Side.UWV:
        q &= Q(**{f"{prefix}thread": MessageThread.UWV})
    return q


def case_in_scope(user, pk: int) -> bool:
    """Whether ``user`` may see the case ``pk`` at all: the citizen's own, the municipality's,
    or one sent to UWV (the same scopes as the pages' one-call lookups)."""
    side = side_of(user)
    if side == Side.APPLICANT:
        queryset = cases_for_citizen(user)
    elif side == Side.MUNICIPALITY:
        queryset = work_cases_for(user)
    elif side == Side.UWV:
        queryset = uwv_cases_for(user)
    else:
        return False
    return queryset.filter(pk=pk).exists()


#: The terms a UWV assessor sees of a case: its own. The college's decision, the objection,
#: placement and contract dates are the municipality's (DOMAIN, actors).
UWV_TERM_KINDS = (TermKind.UWV_ADVICE,)


def uwv_stage(case: Case) -> CaseState:
    """The state a UWV assessor sees of a case: UWV's own stages (sent, being assessed,
    withdrawn before the advice, advice issued). What the college did after the advice
    (decision, objection, placement, closing) is the municipality's: to UWV the case is one
    with its advice."""
    state = CaseState(case.state)
    if state in AT_UWV_STATES or (state == CaseState.WITHDRAWN and not hasattr(case, "advice")):
        return state
    return CaseState.ADVICE_ISSUED


def uwv_case_terms(case: Case) -> list[Term]:
    """UWV's terms of the case (``UWV_TERM_KINDS``), each with its events as
    ``term.event_list``."""
    return list(terms_with_events().filter(case=case, kind__in=UWV_TERM_KINDS))


def may_see_application_content(user, case: Case) -> bool:
    """DOMAIN, actors: for a direct application, municipal staff see the substantive content
    (support needed, needs, documents) only once UWV has issued its advice; the rule itself
    is ``portal.permissions.can_see_application_content``."""
    return can_see_application_content(user, **_content_facts(case))


def municipality_sees_content(case: Case) -> bool:
    """``may_see_application_content`` for the case's municipality (its consultants and
    administrators)."""
    return municipality_sees_application_content(**_content_facts(case))


def _content_facts(case: Case) -> dict[str, bool]:
    """What the rule on the application's content looks at: a direct application, an advice."""
    application = getattr(case, "application", None)
    return {
        "is_direct": application is not None and application.is_direct,
        "advice_issued": hasattr(case, "advice"),
    }


def municipality_sees_content_q() -> Q:
    """``municipality_sees_content`` as a condition on cases: no application, one the college
    made, or UWV has advised."""
    return (
        Q(application__isnull=True)
        | Q(application__applicant_kind=ApplicantKind.MUNICIPALITY)
        | Q(advice__isnull=False)
    )


# -- the UWV assessor --------------------------------------------------------------------


def uwv_cases_for(user) -> QuerySet[Case]:
    """The cases a UWV assessor works: every application sent to UWV, of all
    municipalities. Nobody else gets any through this selector."""
    if role_of(user) is not Role.UWV_ASSESSOR:
        return Case.objects.none()
    return Case.objects.exclude(state=CaseState.DRAFT).filter(submitted_at__isnull=False)


def get_uwv_case_for(user, pk: int) -> Case:
    """One case sent to UWV, for a UWV assessor; 404 for anyone else or any other case."""
    queryset = uwv_cases_for(user).select_related("person", "municipality", "application", "advice")
    return get_object_or_404(queryset, pk=pk)


def get_uwv_case_page_for(user, pk: int) -> Case:
    """``get_uwv_case_for`` with what the assessor's case page shows of the conversation:
    ``message_list`` (UWV's conversation with the municipality, with who wrote each) and
    ``document_list`` (the documents shared with UWV)."""
    queryset = (
        uwv_cases_for(user)
        .select_related("person", "municipality", "application", "advice")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.filter(thread=MessageThread.UWV)
                .select_related("sent_by")
                .order_by("sent_at", "id"),
                to_attr="message_list",
            ),
            Prefetch(
                "documents",
                queryset=Document.objects.filter(visible_to_uwv=True)
                .select_related("uploaded_by")
                .order_by("uploaded_at", "id"),
                to_attr="document_list",
            ),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def get_uwv_case_document_for(user, pk: int, document_pk: int) -> Document:
    """A document of a case UWV has to advise on, shared with UWV; 404 otherwise."""
    return case_document(get_uwv_case_for(user, pk), document_pk, user)


def uwv_queue(
    user,
    filters: dict,
    *,
    cursor: str | None = None,
    limit: int = 25,
    today: _dt.date | None = None,
) -> Page:
    """Open advice requests of all municipalities by term end (index ``term_open_end``),
    keyset-paginated on (end_on, id); each row is a ``Term`` with its case."""
    today = today or timezone.localdate()
    if role_of(user) is not Role.UWV_ASSESSOR:
        return Page([], None)
    queryset = Term.objects.filter(
        kind=TermKind.UWV_ADVICE, met_on__isnull=True, case__state__in=AT_UWV_STATES
    ).select_related("case__person", "case__municipality", "case__application")
    if filters.get("municipality"):
        queryset = queryset.filter(case__municipality_id=filters["municipality"])
    if filters.get("applicant_kind"):
        queryset = queryset.filter(case__application__applicant_kind=filters["applicant_kind"])
    term_state = filters.get("term_state")
    if term_state == TermState.OVERDUE:
        queryset = queryset.filter(suspended_since__isnull=True, end_on__lt=today)
    elif term_state == TermState.SUSPENDED:
        queryset = queryset.filter(suspended_since__isnull=False)
    elif term_state == TermState.RUNNING:
        queryset = queryset.filter(suspended_since__isnull=True, end_on__gte=today)
    elif term_state == "nearly_due":
        queryset = queryset.filter(
            suspended_since__isnull=True,
            end_on__gte=today,
            end_on__lte=today + _dt.timedelta(days=NEARLY_DUE_DAYS),
        )
    search = (filters.get("q") or "").strip()
    if search:
        if search.isdigit() and len(search) == 9:
            queryset = queryset.filter(case__person__bsn=search)
        elif search.upper().startswith("BW-"):
            queryset = queryset.filter(case__reference__iexact=search)
        else:
            for word in search.split()[:3]:
                queryset = queryset.filter(
                    Q(case__person__first_name__icontains=word)
                    | Q(case__person__last_name__icontains=word)
                )
    after = decode_cursor(cursor, _dt.date.fromisoformat)
    if after is not None:
        end_on, pk = after
        queryset = queryset.filter(end_on__gte=end_on).filter(Q(end_on__gt=end_on) | Q(id__gt=pk))
    rows = list(queryset.order_by("end_on", "id")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].end_on, rows[-1].pk)
    for term in rows:
        term.state = rules.term_state(term.end_on, today, None, term.suspended_since is not None)
        term.nearly_due = (
            term.state == TermState.RUNNING and (term.end_on - today).days <= NEARLY_DUE_DAYS
        )
    return Page(rows, next_cursor)


def person_names(user, person_ids: list[int]) -> dict[int, str]:
    """Names of persons of the user's municipality, for a page of the waiting list."""
    rows = scope_to_user(Person.objects.all(), user).filter(pk__in=person_ids)
    return {
        pk: f"{first} {last}"
        for pk, first, last in rows.values_list("pk", "first_name", "last_name")
    }


def verordening_for(user, pk: int | None) -> Verordening | None:
    """A verordening version of the user's municipality (None if none or not theirs)."""
    if pk is None:
        return None
    return scope_to_user(Verordening.objects.all(), user).filter(pk=pk).first()


def saved_filters_version_key(user_id: int) -> str:
    """Moves on whenever one of the user's saved filters is saved or deleted."""
    return f"saved-filters:version:{user_id}"


def saved_filters_for(user) -> list[dict]:
    """The consultant's saved filters (name and query string), on every view of the work
    list: from the cache while none of them has changed."""
    return versioned(
        f"saved-filters:{user.pk}",
        saved_filters_version_key(user.pk),
        lambda: list(
            SavedFilter.objects.filter(owner=user).order_by("name", "id").values("name", "query")
        ),
        3600,
    )


def running_employment(case: Case) -> Employment | None:
    """The case's job that has not ended (at most one, by a database constraint)."""
    return Employment.objects.filter(case=case, end_on__isnull=True).first()


def pending_objection(case: Case) -> Objection | None:
    return case.objections.filter(outcome=Objection.Outcome.PENDING).first()


def appealable_objection(case: Case) -> Objection | None:
    """§3.3: the case's latest decided objection without an appeal (``rules.appeal_possible``)."""
    return (
        case.objections.filter(
            outcome__in=sorted(rules.DECIDED_OBJECTION_OUTCOMES), appeal__isnull=True
        )
        .order_by("-decided_on", "-id")
        .first()
    )


def pending_appeal(case: Case) -> Appeal | None:
    return Appeal.objects.filter(objection__case=case, outcome=AppealOutcome.PENDING).first()


def running_fixed_term(case: Case) -> Employment | None:
    """The case's running job on a fixed-term contract with its last day (§6.1)."""
    return Employment.objects.filter(
        case=case,
        end_on__isnull=True,
        contract_kind=ContractKind.FIXED,
        contract_ends_on__isnull=False,
    ).first()


def open_provisions(case: Case, today: date | None = None) -> QuerySet[SupportProvision]:
    """The case's provisions that have not ended (no last day, or one after today): those that
    can still be ended (§6.3)."""
    today = today or timezone.localdate()
    return (
        SupportProvision.objects.filter(case=case)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
        .order_by("starts_on", "id")
    )


def offered_provision_kinds(municipality_id: int, on: date) -> list[str]:
    """§5: the provisions the verordening in force on ``on`` offers (none without one)."""
    verordening = verordening_in_force(municipality_id, on)
    return list(verordening.provision_kinds) if verordening else []


def provision_figures(user, today: date) -> dict:
    """§6.3: the provisions in place today in the user's municipality, per kind: the number of
    persons who have one, and the total cost per month where known. One query."""
    rows = (
        scope_to_user(SupportProvision.objects.all(), user, municipality_field="case__municipality")
        .filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values("kind")
        .annotate(persons=Count("case__person", distinct=True), cost=Sum("monthly_cost"))
        .order_by("kind")
    )
    per_kind = {row["kind"]: (row["persons"], row["cost"] or Decimal(0)) for row in rows}
    return {
        "per_kind": per_kind,
        "monthly_cost": sum((cost for _persons, cost in per_kind.values()), Decimal(0)),
    }


def committed_places(municipality_id: int, *, from_on: date) -> Decimal:
    """Places of ``from_on``'s year taken on ``from_on`` (DOMAIN §4.2–4.3): the municipality's
    jobs that run on ``from_on`` or later in that year, also those agreed to start later in
    it (``capacity.taken_in_year``, what the waiting list counts), their hours summed and
    divided by 31 once (``rules.realised_places``; exact). What a placement starting on
    ``from_on`` must fit beside."""
    total = Employment.objects.filter(
        taken_in_year(from_on), municipality_id=municipality_id
    ).aggregate(total=hours_sum())["total"]
    return rules.realised_places(Decimal(total or 0), settings.HOURS_PER_PLACE)


def quota_for(municipality_id: int, year: int) -> YearlyQuota | None:
    """The quota that binds in ``year`` (DOMAIN §4.1): the year's own, or until it is entered
    the latest earlier year's (the quota is cumulative, never lower); None if none was ever
    entered. What the waiting list counts with too (``capacity``)."""
    return (
        YearlyQuota.objects.filter(municipality_id=municipality_id, year__lte=year)
        .order_by("-year")
        .first()
    )


# -- wage and wage subsidy (DOMAIN §6.1, §6.3) ---------------------------------------------


def minimum_wage_on(on: date) -> MinimumWage | None:
    """The adult minimum wage per hour in force on ``on``, as operators keep it (None before
    the first amount)."""
    return MinimumWage.objects.filter(in_force_from__lte=on).order_by("-in_force_from").first()


def flat_rate_in(municipality_id: int, year: int) -> bool:
    """Whether the municipality pays the wage subsidy at the flat rate of 68% in ``year``
    (DOMAIN §6.3); without a setting for the year it measures the wage value, and before
    ``rules.FLAT_RATE_FROM_YEAR`` (the change in the law) a setting saved earlier counts not."""
    if year < rules.FLAT_RATE_FROM_YEAR:
        return False
    return WageSubsidyYear.objects.filter(
        municipality_id=municipality_id, year=year, flat_rate=True
    ).exists()


@_dataclass(frozen=True)
class WageCalculation:
    """The wage subsidy of a job on a date, with every input the case page shows."""

    on: date
    hours_per_week: Decimal
    agreed_wage: Decimal | None
    agreed_wage_per_hour: bool
    minimum_wage: MinimumWage | None
    #: The wage in force is older than the last 1 January or 1 July: a new one is missing.
    minimum_wage_outdated: bool
    age: int
    wml_hourly: Decimal | None
    wml_monthly: Decimal | None
    flat_rate: bool
    wage_value_pct: Decimal | None
    wajong: bool
    funding: rules.Funding | None
    #: The wage value is needed (no flat rate this year) but none is recorded.
    wage_value_missing: bool
    next_measurement_on: date | None

    @property
    def youth(self) -> bool:
        return self.age < rules.ADULT_WML_AGE


def wage_calculation(employment: Employment, person: Person, today: date) -> WageCalculation:
    """§6.1, §6.3: the job's wage subsidy (or wage dispensation) on ``today``, or on its
    start date for a job yet to start: the minimum wage in force then for the person's age
    and the job's hours, and the method the paying municipality set for that year."""
    on = max(today, employment.start_on)
    # One query: the minimum wage in force, and the municipality's method for the year.
    wage = (
        MinimumWage.objects.filter(in_force_from__lte=on)
        .annotate(
            flat_rate=Exists(
                WageSubsidyYear.objects.filter(
                    municipality_id=employment.municipality_id, year=on.year, flat_rate=True
                )
            )
        )
        .order_by("-in_force_from")
        .first()
    )
    age = rules.age_on(person.birth_date, on)
    hours = Decimal(employment.hours_per_week)
    wajong = person.benefit_kind == BenefitKind.WAJONG
    dispensation = employment.funding_kind == FundingKind.WAGE_DISPENSATION
    flat_rate = not dispensation and wage is not None and wage.flat_rate
    wml_hourly = wml_monthly = result = None
    if wage is not None:
        wml_hourly = rules.minimum_wage_hourly(wage.hourly, age)
        wml_monthly = rules.monthly_for_hours(wml_hourly, hours)
    missing = not dispensation and not flat_rate and employment.wage_value_pct is None
    if wml_monthly is not None and not missing:
        result = rules.funding(
            BenefitKind.WAJONG if dispensation else person.benefit_kind,
            wml_monthly,
            employment.wage_value_pct,
            flat_rate,
            wajong_wage_subsidy=not dispensation,
        )
    measured = result is not None and result.basis in (
        rules.FundingBasis.WAGE_VALUE_GAP,
        rules.FundingBasis.WAGE_VALUE_GAP_CAPPED,
    )
    return WageCalculation(
        on=on,
        hours_per_week=hours,
        agreed_wage=employment.agreed_wage,
        agreed_wage_per_hour=employment.agreed_wage_per_hour,
        minimum_wage=wage,
        minimum_wage_outdated=wage is not None
        and rules.minimum_wage_outdated(wage.in_force_from, on),
        age=age,
        wml_hourly=wml_hourly,
        wml_monthly=wml_monthly,
        flat_rate=flat_rate,
        wage_value_pct=employment.wage_value_pct,
        wajong=wajong,
        funding=result,
        wage_value_missing=missing,
        next_measurement_on=rules.next_wage_value_measurement(employment.start_on, today)
        if measured or missing
        else None,
    )
