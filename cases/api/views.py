"""The endpoints of the case exchange API, one view each. Thin, like the pages: a selector
fetches (scoped to the client's municipality, or UWV's cases; 404 for anything else), a
serializer checks the shape, one service acts. A service's refusal is answered as the pages
answer it: 400, with the service's Dutch message and its code.

Every call by a client is audited (``api_<endpoint>``: who, which case, the status); a read
of one case is audited as a view of personal data, as the case pages are; the services audit
their actions themselves.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from oauth2_provider import views as oauth2_views
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from municipalities import selectors as municipality_selectors
from portal.models import Role

from .. import figures, rules, selectors, services
from ..audit.models import AuditEntry
from ..audit.trail import write_entry
from ..choices import AdviceOutcome
from ..placement import capacity
from . import serializers as s
from .permissions import ActsWithScope
from .throttling import ClientRateThrottle, TokenRateThrottle

#: Rows per page of a list.
PAGE_SIZE = 50

ERRORS = {
    401: OpenApiResponse(s.ErrorSerializer, description=_("No valid token.")),
    403: OpenApiResponse(
        s.ErrorSerializer, description=_("The client's role or scopes do not allow this.")
    ),
    429: OpenApiResponse(s.ErrorSerializer, description=_("Too many requests: try again later.")),
}
NOT_FOUND = {
    404: OpenApiResponse(
        s.ErrorSerializer, description=_("No such case, or not one this client may see.")
    )
}
REFUSED = {
    400: OpenApiResponse(
        s.ErrorSerializer,
        description=_(
            "The request is incomplete, or the rules refuse the action in the case's state "
            "(``code`` says which rule, as on the pages)."
        ),
    )
}


def api_origin(request) -> str:
    """Where a call came from, for the audit trail: the client, its address, the method and
    the path (no query string: it may hold data)."""
    client = getattr(request.user, "api_client", None)
    who = f"client {client.pk}" if client is not None else "anonymous"
    address = request.META.get("REMOTE_ADDR", "")
    return f"api {who} {address} {request.method} {request.path}"[:100]


def refused(error: ValidationError) -> Response:
    """A service's refusal, as the pages answer it: 400 with its message and code."""
    code = getattr(error, "code", None) or "invalid"
    return Response(
        {"detail": " ".join(error.messages), "code": code}, status=status.HTTP_400_BAD_REQUEST
    )


def next_url(request, **query) -> str:
    """The address of the next page: this one's, with the cursor replaced."""
    params = {k: v for k, v in request.query_params.items() if k not in query}
    return request.build_absolute_uri(request.path + "?" + urlencode({**params, **query}))


class TokenView(oauth2_views.TokenView):
    """django-oauth-toolkit's token endpoint (client credentials), limited per address."""

    def post(self, request, *args, **kwargs):
        throttle = TokenRateThrottle()
        if not throttle.allow_request(request, self):
            response = JsonResponse(
                {
                    "error": "slow_down",
                    "error_description": str(_("Too many requests: try again later.")),
                },
                status=429,
            )
            response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
            return response
        return super().post(request, *args, **kwargs)


class ApiView(APIView):
    """An endpoint for clients acting in ``role`` with the scope ``read_scope`` (GET) or
    ``write_scope`` (POST); audited as ``api_<audit_name>``."""

    permission_classes = [IsAuthenticated, ActsWithScope]
    throttle_classes = [ClientRateThrottle]
    role: Role
    read_scope: str | None = None
    write_scope: str | None = None
    audit_name: str

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        user = request.user
        if user.is_authenticated:
            code = response.status_code
            write_entry(
                action=f"api_{self.audit_name}",
                actor=user,
                object_type="case" if "pk" in kwargs else "api",
                object_id=kwargs.get("pk", ""),
                result=AuditEntry.Result.OK
                if code < 400
                else AuditEntry.Result.REFUSED
                if code < 500
                else AuditEntry.Result.FAILED,
                origin=api_origin(request),
                message=str(code),
            )
        return response

    def viewed(self, request, case) -> None:
        """A read of one case's personal data, audited as the case pages audit it."""
        write_entry(
            action="view_personal_data",
            actor=request.user,
            object_type="case",
            object_id=case.pk,
            result=AuditEntry.Result.OK,
            origin=api_origin(request),
        )

    def query(self, request, serializer_class) -> dict:
        """The query parameters, checked (400 for a wrong one)."""
        serializer = serializer_class(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class UwvView(ApiView):
    role = Role.UWV_ASSESSOR
    read_scope = "uwv.read"
    write_scope = "uwv.advice"


class MunicipalView(ApiView):
    role = Role.CONSULTANT
    read_scope = "cases.read"
    write_scope = "cases.write"


# -- UWV ------------------------------------------------------------------------------------


class UwvQueueView(UwvView):
    audit_name = "uwv_queue"

    @extend_schema(
        operation_id="uwv_queue",
        tags=["UWV"],
        summary=_("UWV's queue of advice requests"),
        description=_(
            "The open advice requests of every municipality, the earliest end of the 8-week "
            "term first, as on UWV's queue page. Scope ``uwv.read``. No BSN: read one case "
            "for it."
        ),
        parameters=[s.UwvQueueFilterSerializer],
        responses={200: s.UwvQueuePageSerializer, **ERRORS},
    )
    def get(self, request):
        query = self.query(request, s.UwvQueueFilterSerializer)
        filters = {k: v for k, v in query.items() if k in ("applicant_kind", "term_state")}
        if query.get("municipality"):
            found = municipality_selectors.municipality_by_code(query["municipality"])
            if found is None:
                return Response({"results": [], "next": None})
            filters["municipality"] = found.pk
        page = selectors.uwv_queue(
            request.user, filters, cursor=query.get("after"), limit=PAGE_SIZE
        )
        return Response(
            {
                "results": s.UwvQueueRowSerializer(page.rows, many=True).data,
                "next": next_url(request, after=page.next_cursor) if page.next_cursor else None,
            }
        )


class UwvCaseView(UwvView):
    audit_name = "uwv_case"

    @extend_schema(
        operation_id="uwv_case",
        tags=["UWV"],
        summary=_("A case sent to UWV"),
        description=_(
            "The person (with BSN, to match them in UWV's systems), the application and the "
            "advice if there is one. Scope ``uwv.read``. Audited as a view of personal data."
        ),
        responses={200: s.UwvCaseSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, pk: int):
        case = selectors.get_uwv_case_for(request.user, pk)
        self.viewed(request, case)
        return Response(s.UwvCaseSerializer(case).data)


class UwvAdviceView(UwvView):
    audit_name = "uwv_advice"

    @extend_schema(
        operation_id="uwv_advice_create",
        tags=["UWV"],
        summary=_("Record UWV's advice"),
        description=_(
            "As the advice form of UWV's case page: the outcome must follow from the findings "
            "(DOMAIN §2), unless a valid Wsw indication decides it. Scope ``uwv.advice``."
        ),
        request=s.AdviceInputSerializer,
        responses={201: s.AdviceSerializer, **REFUSED, **ERRORS, **NOT_FOUND},
    )
    def post(self, request, pk: int):
        case = selectors.get_uwv_case_for(request.user, pk)
        serializer = s.AdviceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        findings = data["work_capacity"]
        try:
            advice = services.record_advice(
                case_id=case.pk,
                outcome=AdviceOutcome(data["outcome"]),
                reasons=data["reasons"],
                needs_adaptations=data["needs_adaptations"],
                needs_supervision=data["needs_supervision"],
                work_capacity=rules.WorkCapacity(
                    findings["can_perform_task"],
                    findings["basic_employee_skills"],
                    findings["hours_at_a_stretch"],
                    findings["hours_per_day"],
                )
                if findings
                else None,
                circumstances_changed=data["circumstances_changed"],
                actor=request.user,
                origin=api_origin(request),
            )
        except ValidationError as error:
            return refused(error)
        return Response(s.AdviceSerializer(advice).data, status=status.HTTP_201_CREATED)


# -- the municipality -----------------------------------------------------------------------


class CaseListView(MunicipalView):
    audit_name = "case_list"

    @extend_schema(
        operation_id="case_list",
        tags=[_("Municipality")],
        summary=_("The municipality's cases"),
        description=_(
            "The cases of the client's municipality, longest in their state first, as on the "
            "work list. Scope ``cases.read``. No BSN: read one case for it."
        ),
        parameters=[s.CaseFilterSerializer],
        responses={200: s.CasePageSerializer, **ERRORS},
    )
    def get(self, request):
        query = self.query(request, s.CaseFilterSerializer)
        filters = {k: v for k, v in query.items() if k in ("state", "term_state")}
        page = selectors.worklist(request.user, filters, cursor=query.get("after"), limit=PAGE_SIZE)
        return Response(
            {
                "results": s.CaseRowSerializer(page.rows, many=True).data,
                "next": next_url(request, after=page.next_cursor) if page.next_cursor else None,
            }
        )


class CaseView(MunicipalView):
    audit_name = "case"

    @extend_schema(
        operation_id="case",
        tags=[_("Municipality")],
        summary=_("A case of the municipality"),
        description=_(
            "The person (with BSN), the application (its content only once UWV advised on a "
            "direct application), the advice, the decision and the placements. Scope "
            "``cases.read``. Audited as a view of personal data."
        ),
        responses={200: s.CaseSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, pk: int):
        case = selectors.get_work_case_for(request.user, pk)
        self.viewed(request, case)
        case.placements = [
            job for job in selectors.employment_history(case) if job.case_id == case.pk
        ]
        context = {"show_content": selectors.may_see_application_content(request.user, case)}
        return Response(s.CaseSerializer(case, context=context).data)


class DecisionListView(MunicipalView):
    audit_name = "decision_list"

    @extend_schema(
        operation_id="decision_list",
        tags=[_("Municipality")],
        summary=_("The municipality's decisions"),
        description=_("Every decision on the municipality's cases, oldest first."),
        parameters=[s.IdPageFilterSerializer],
        responses={200: s.DecisionPageSerializer, **ERRORS},
    )
    def get(self, request):
        return id_page(
            request,
            selectors.work_decisions_for(request.user),
            s.DecisionSerializer,
            self.query(request, s.IdPageFilterSerializer).get("after"),
        )


class PlacementListView(MunicipalView):
    audit_name = "placement_list"

    @extend_schema(
        operation_id="placement_list",
        tags=[_("Municipality")],
        summary=_("The municipality's placements"),
        description=_("Every job of the municipality's cases, running or ended, oldest first."),
        parameters=[s.IdPageFilterSerializer],
        responses={200: s.PlacementPageSerializer, **ERRORS},
    )
    def get(self, request):
        return id_page(
            request,
            selectors.work_placements_for(request.user),
            s.PlacementSerializer,
            self.query(request, s.IdPageFilterSerializer).get("after"),
        )


def id_page(request, queryset, serializer_class, after: int | None) -> Response:
    """One page of ``queryset`` (ordered by id) after the id ``after``."""
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Response(
        {
            "results": serializer_class(rows, many=True).data,
            "next": next_url(request, after=rows[-1].pk) if more else None,
        }
    )


class WaitingListView(MunicipalView):
    audit_name = "waiting_list"

    @extend_schema(
        operation_id="waiting_list",
        tags=[_("Municipality")],
        summary=_("The municipality's waiting list"),
        description=_(
            "Everyone with a positive decision who waits for a place this year, in the order "
            "of the verordening in force (DOMAIN §4.5), as on the waiting list page."
        ),
        parameters=[s.WaitingFilterSerializer],
        responses={200: s.WaitingListSerializer, **ERRORS},
    )
    def get(self, request):
        start = self.query(request, s.WaitingFilterSerializer).get("position", 1)
        today = timezone.localdate()
        user = request.user
        header = figures.dashboard_figures(user, today=today).summary
        page = capacity.candidate_page(
            user.municipality_id,
            today.year,
            on=today,
            from_position=start,
            limit=PAGE_SIZE,
            header=header,
        )
        names = selectors.person_names(user, [row.person_id for row in page.rows])
        payload = {
            "year": page.year,
            "quota_places": page.quota_places,
            "quota_year": page.quota_year,
            "additional_places": page.additional_places,
            "realised_places": page.realised_places,
            "taken_places": page.taken_places,
            "ordering_rule": page.ordering_rule,
            "results": [{"row": row, "name": names.get(row.person_id, "")} for row in page.rows],
            "next": next_url(request, position=page.next_from) if page.next_from else None,
        }
        return Response(s.WaitingListSerializer(payload).data)


class DecisionCreateView(MunicipalView):
    audit_name = "decision"

    @extend_schema(
        operation_id="decision_create",
        tags=[_("Municipality")],
        summary=_("Record the decision"),
        description=_(
            "As the decision page: after UWV's advice, bound to it unless the reason to "
            "deviate is given (DOMAIN §3). Scope ``cases.write``."
        ),
        request=s.DecisionInputSerializer,
        responses={201: s.DecisionSerializer, **REFUSED, **ERRORS, **NOT_FOUND},
    )
    def post(self, request, pk: int):
        case = selectors.get_work_case_for(request.user, pk)
        serializer = s.DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            decision = services.record_decision(
                case_id=case.pk,
                **serializer.validated_data,
                actor=request.user,
                origin=api_origin(request),
            )
        except ValidationError as error:
            return refused(error)
        return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class PlacementCreateView(MunicipalView):
    audit_name = "placement"

    @extend_schema(
        operation_id="placement_create",
        tags=[_("Municipality")],
        summary=_("Place the person"),
        description=_(
            "As the placement page: within the quota, or on an additional place in the "
            "verordening's order (a reason when out of turn), at least the minimum wage "
            "(DOMAIN §4, §6). Scope ``cases.write``."
        ),
        request=s.PlacementInputSerializer,
        responses={201: s.PlacementSerializer, **REFUSED, **ERRORS, **NOT_FOUND},
    )
    def post(self, request, pk: int):
        case = selectors.get_work_case_for(request.user, pk)
        serializer = s.PlacementInputSerializer(
            data=request.data,
            context={"employers": municipality_selectors.active_employers_for(request.user)},
        )
        serializer.is_valid(raise_exception=True)
        try:
            employment = services.place_person(
                case_id=case.pk,
                **serializer.validated_data,
                actor=request.user,
                origin=api_origin(request),
            )
        except ValidationError as error:
            return refused(error)
        return Response(s.PlacementSerializer(employment).data, status=status.HTTP_201_CREATED)
