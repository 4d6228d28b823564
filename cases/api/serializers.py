"""What the API reads and writes. Serializers check the shape of a request, as the pages'
forms do; the law is the services' (a refusal is a 400 with its code).

Personal data (DOMAIN, privacy): a list never holds a BSN; the endpoints about one case do,
because UWV and the municipality match the person in their own systems by it, and each such
read is audited as a view of personal data (``docs/api.md``).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import rules, selectors
from ..choices import (
    AdviceOutcome,
    ApplicantKind,
    BenefitKind,
    CandidateSource,
    CaseState,
    Category,
    ContractKind,
    FundingKind,
    OrderingRule,
    Responsible,
    TermKind,
    TermState,
    WorkplaceKind,
)
from ..forms import validate_in_date_years

# -- errors ---------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """A refusal: what is wrong in Dutch and, for a refusal by the rules, its code (the same
    code the service gives the pages, e.g. ``already_decided``, ``no_place_left``)."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


# -- parts ----------------------------------------------------------------------------------


class MunicipalitySerializer(serializers.Serializer):
    code = serializers.CharField(source="cbs_code", help_text=_("CBS code, e.g. GM0363"))
    name = serializers.CharField()


class PersonNameSerializer(serializers.Serializer):
    first_name = serializers.CharField()
    last_name = serializers.CharField()


class PersonSummarySerializer(PersonNameSerializer):
    birth_date = serializers.DateField()


class PersonSerializer(PersonSummarySerializer):
    bsn = serializers.CharField(help_text=_("Only on the endpoints about one case."))
    benefit_kind = serializers.ChoiceField(choices=BenefitKind.choices)


class UwvPersonSerializer(PersonSerializer):
    wsw_indication_end = serializers.DateField(allow_null=True)
    wsw_supported_employment = serializers.BooleanField()


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class ApplicationSerializer(serializers.Serializer):
    applicant_kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    received_on = serializers.DateField(allow_null=True)
    is_direct = serializers.BooleanField(
        help_text=_("The person applied to UWV directly (not through the municipality).")
    )


class ApplicationContentSerializer(ApplicationSerializer):
    source = serializers.ChoiceField(choices=CandidateSource.choices)
    support_needed = serializers.CharField()
    needs_adaptations = serializers.BooleanField()
    needs_supervision = serializers.BooleanField()
    changed_circumstances = serializers.CharField()


class AdviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=AdviceOutcome.choices)
    issued_on = serializers.DateField()
    without_investigation = serializers.BooleanField()
    #: DOMAIN §1.2: negative under the once-a-year rule, without assessing the criteria.
    once_a_year_rule = serializers.BooleanField()
    needs_adaptations = serializers.BooleanField()
    needs_supervision = serializers.BooleanField()
    can_perform_task = serializers.BooleanField()
    basic_employee_skills = serializers.BooleanField()
    hours_at_a_stretch = serializers.DecimalField(max_digits=4, decimal_places=2)
    hours_per_day = serializers.DecimalField(max_digits=4, decimal_places=2)
    reasons = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = CaseRefSerializer()
    positive = serializers.BooleanField()
    follows_advice = serializers.BooleanField()
    deviation_reason = serializers.CharField()
    sent_on = serializers.DateField()


class PlacementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = CaseRefSerializer()
    employer_name = serializers.CharField()
    workplace_kind = serializers.ChoiceField(choices=WorkplaceKind.choices)
    hours_per_week = serializers.DecimalField(max_digits=4, decimal_places=2)
    start_on = serializers.DateField()
    end_on = serializers.DateField(allow_null=True)
    contract_kind = serializers.ChoiceField(choices=ContractKind.choices)
    contract_ends_on = serializers.DateField(allow_null=True)
    funding_kind = serializers.ChoiceField(choices=FundingKind.choices)
    agreed_wage = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    agreed_wage_per_hour = serializers.BooleanField()
    wage_value_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    max_monthly_subsidy = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    out_of_turn = serializers.SerializerMethodField()

    def get_out_of_turn(self, employment) -> bool:
        return bool(employment.out_of_turn_reason)


class TermSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TermKind.choices, source="term_kind")
    end_on = serializers.DateField(source="term_end")
    state = serializers.ChoiceField(choices=TermState.choices, source="term_state")


# -- UWV ------------------------------------------------------------------------------------


class UwvQueueRowSerializer(serializers.Serializer):
    """An advice request in UWV's queue (a row of ``selectors.uwv_queue``: the open advice
    term with its case)."""

    case = serializers.IntegerField(source="case_id")
    reference = serializers.CharField(source="case.reference")
    state = serializers.ChoiceField(choices=CaseState.choices, source="case.state")
    municipality = MunicipalitySerializer(source="case.municipality")
    applicant_kind = serializers.ChoiceField(
        choices=ApplicantKind.choices, source="case.application.applicant_kind"
    )
    received_on = serializers.DateField(source="case.application.received_on")
    term_end_on = serializers.DateField(source="end_on")
    term_state = serializers.ChoiceField(choices=TermState.choices, source="state")
    person = PersonSummarySerializer(source="case.person")


class UwvQueuePageSerializer(serializers.Serializer):
    results = UwvQueueRowSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text=_("The next page; null: the last."))


class UwvQueueFilterSerializer(serializers.Serializer):
    municipality = serializers.RegexField(
        r"^GM\d{4}$", required=False, help_text=_("CBS code of a municipality")
    )
    applicant_kind = serializers.ChoiceField(choices=ApplicantKind.choices, required=False)
    term_state = serializers.ChoiceField(choices=[*TermState.values, "nearly_due"], required=False)
    after = serializers.CharField(required=False, help_text=_("The cursor of the next page."))


class UwvCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.SerializerMethodField(
        help_text=_(
            "UWV's own stages: submitted, with_uwv, withdrawn (before the advice) or "
            "advice_issued. What the municipality decided afterwards is not UWV's."
        )
    )
    municipality = MunicipalitySerializer()
    person = UwvPersonSerializer()
    application = ApplicationContentSerializer()
    advice = AdviceSerializer(allow_null=True)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[
                (state.value, state.label)
                for state in (
                    *selectors.AT_UWV_STATES,
                    CaseState.WITHDRAWN,
                    CaseState.ADVICE_ISSUED,
                )
            ]
        )
    )
    def get_state(self, case) -> str:
        return selectors.uwv_stage(case).value


class WorkCapacitySerializer(serializers.Serializer):
    """The findings on work capacity (DOMAIN §2.2); not needed when a valid Wsw indication
    decides the advice (§2.4)."""

    can_perform_task = serializers.BooleanField()
    basic_employee_skills = serializers.BooleanField()
    hours_at_a_stretch = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal(0), max_value=Decimal(24)
    )
    hours_per_day = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal(0), max_value=Decimal(24)
    )


class AdviceInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AdviceOutcome.choices)
    reasons = serializers.CharField(max_length=10_000)
    needs_adaptations = serializers.BooleanField(default=False)
    needs_supervision = serializers.BooleanField(default=False)
    work_capacity = WorkCapacitySerializer(required=False, allow_null=True, default=None)
    #: DOMAIN §2.4: UWV found the circumstances changed since a valid Wsw indication, so it
    #: assessed in full (the indication does not decide the advice).
    circumstances_changed = serializers.BooleanField(default=False)


# -- the municipality -----------------------------------------------------------------------


class CaseRowSerializer(serializers.Serializer):
    """A case in the municipality's list (a row of ``selectors.worklist``)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.ChoiceField(choices=CaseState.choices)
    state_since = serializers.DateTimeField()
    person = PersonNameSerializer()
    term = serializers.SerializerMethodField()

    def get_term(self, case) -> TermSerializer(allow_null=True):
        if getattr(case, "term_end", None) is None:
            return None
        return TermSerializer(case).data


class CasePageSerializer(serializers.Serializer):
    results = CaseRowSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text=_("The next page; null: the last."))


class CaseFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[*CaseState.values, "at_uwv", "objection_open"],
        required=False,
        help_text=_("Without a state: every case that is not withdrawn or closed."),
    )
    term_state = serializers.ChoiceField(
        choices=[TermState.OVERDUE, TermState.RUNNING, TermState.SUSPENDED], required=False
    )
    after = serializers.CharField(required=False, help_text=_("The cursor of the next page."))


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.ChoiceField(choices=CaseState.choices)
    state_since = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    municipality = MunicipalitySerializer()
    person = PersonSerializer()
    application = serializers.SerializerMethodField()
    advice = AdviceSerializer(allow_null=True)
    decision = DecisionSerializer(allow_null=True)
    placements = PlacementSerializer(many=True)

    def get_application(self, case) -> ApplicationContentSerializer(allow_null=True):
        """The content of a direct application only once UWV advised (DOMAIN, actors)."""
        application = getattr(case, "application", None)
        if application is None:
            return None
        if self.context.get("show_content"):
            return ApplicationContentSerializer(application).data
        return ApplicationSerializer(application).data


class IdPageFilterSerializer(serializers.Serializer):
    after = serializers.IntegerField(
        required=False, min_value=0, help_text=_("The cursor of the next page.")
    )


class DecisionPageSerializer(serializers.Serializer):
    results = DecisionSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text=_("The next page; null: the last."))


class PlacementPageSerializer(serializers.Serializer):
    results = PlacementSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text=_("The next page; null: the last."))


class DecisionInputSerializer(serializers.Serializer):
    positive = serializers.BooleanField(help_text=_("Eligible for sheltered work."))
    deviation_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10_000,
        help_text=_("Required only if the decision deviates from UWV's advice."),
    )


class PlacementInputSerializer(serializers.Serializer):
    """A placement as the page records it: a listed employer of the municipality (``employer``)
    or another one (``employer_name`` with ``workplace_kind``)."""

    employer = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("ID of one of the municipality's employers.")
    )
    employer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    workplace_kind = serializers.ChoiceField(choices=WorkplaceKind.choices, required=False)
    hours_per_week = serializers.DecimalField(max_digits=4, decimal_places=2)
    start_on = serializers.DateField(validators=[validate_in_date_years])
    contract_kind = serializers.ChoiceField(choices=ContractKind.choices)
    contract_ends_on = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[validate_in_date_years]
    )
    agreed_wage = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal("0.01"), help_text=_("Gross.")
    )
    agreed_wage_per_hour = serializers.BooleanField(
        default=False, help_text=_("The wage is per hour (otherwise per month).")
    )
    wage_value_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        allow_null=True,
        default=None,
    )
    wajong_wage_subsidy = serializers.BooleanField(default=False)
    out_of_turn_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10_000
    )

    def validate_hours_per_week(self, hours):
        if hours <= 0 or hours > rules.MAX_HOURS_PER_WEEK:
            raise serializers.ValidationError(
                _("Enter more than 0 and at most %(max)s hours per week.")
                % {"max": rules.MAX_HOURS_PER_WEEK}
            )
        return hours

    def validate(self, data):
        employer_pk = data.pop("employer", None)
        if employer_pk is not None:
            employer = self.context["employers"].filter(pk=employer_pk).first()
            if employer is None:
                raise serializers.ValidationError(
                    {"employer": _("This is not one of your municipality's employers.")}
                )
            data["employer_name"], data["workplace_kind"] = employer.name, employer.kind
            return data
        errors = {}
        if not (data.get("employer_name") or "").strip():
            errors["employer_name"] = _("Choose an employer from the list or fill in a name.")
        if not data.get("workplace_kind"):
            errors["workplace_kind"] = _("Choose the kind of workplace.")
        if errors:
            raise serializers.ValidationError(errors)
        return data


class WaitingRowSerializer(serializers.Serializer):
    """A candidate in the order of the waiting list (``capacity.CandidateRow``)."""

    position = serializers.IntegerField(source="row.position")
    case = serializers.IntegerField(source="row.case_id")
    reference = serializers.CharField(source="row.reference")
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices, source="row.category")
    responsible = serializers.ChoiceField(choices=Responsible.choices, source="row.responsible")
    available = serializers.BooleanField(source="row.available")
    priority_group = serializers.BooleanField(source="row.priority_group")
    waiting_since = serializers.DateField(source="row.waiting_since", allow_null=True)
    advice_on = serializers.DateField(source="row.advice_on", allow_null=True)


class WaitingListSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quota_places = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        allow_null=True,
        help_text=_(
            "The quota that binds: the year's, or until it is entered the latest earlier "
            "year's (quota_year says which); null if none was ever entered."
        ),
    )
    quota_year = serializers.IntegerField(allow_null=True)
    additional_places = serializers.IntegerField()
    realised_places = serializers.DecimalField(max_digits=10, decimal_places=2)
    taken_places = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        help_text=_(
            "The places of the running jobs and of those agreed to start later in the year: "
            "what the categories count against the quota."
        ),
    )
    ordering_rule = serializers.ChoiceField(choices=OrderingRule.choices)
    results = WaitingRowSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text=_("The next page; null: the last."))


class WaitingFilterSerializer(serializers.Serializer):
    position = serializers.IntegerField(
        required=False, min_value=1, max_value=10**9, help_text=_("The first position to show.")
    )
