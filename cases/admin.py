"""The Django admin for operators: look into every record of the case domain, keep the
reference data (decree days, AOW ages, national quotas, minimum wages) up to date.

The admin is not a way around the services. A case's state, its legal steps (application,
advice, decision, objection, availability, employment) and its terms change only through
``cases.services``, so here they are shown read-only. History never changes: the case
history, the term events and the audit log cannot be added, changed or deleted by anyone.
A BSN is searchable (exact match) but never shown in a list.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .audit.models import AuditEntry, CaseEvent
from .models import Advice, AowAge, Appeal, Application, Case, Decision, Objection, Person
from .notifications.models import Notification
from .placement.models import AvailabilityPeriod, Employment, MinimumWage, NationalQuota
from .privacy.models import CorrectionRequest, RetentionKind, RetentionRun
from .provisions.models import SupportProvision
from .terms.models import DecreeHoliday, Term, TermEvent


def _all_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields]


class ViewOnlyMixin:
    """Operators may look, nobody may add, change or delete (history, derived data, and
    records that only a service may write)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return _all_fields(self.model)


class ViewOnlyInline(ViewOnlyMixin, admin.StackedInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return [name for name in _all_fields(self.model) if name != "id"]


# -- person and case --------------------------------------------------------------------------


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # No BSN in the list: it is personal data. Searching by the exact BSN is allowed.
    list_display = ["__str__", "birth_date", "municipality", "benefit_kind", "in_jobs_register"]
    list_filter = ["benefit_kind", "in_jobs_register", "municipality"]
    search_fields = ["=bsn", "last_name", "first_name", "email"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["account"]
    show_full_result_count = False
    # A search by BSN must not travel on in every link of the result page (a BSN never goes
    # into a URL we make; the search box itself is the operator's own input).
    preserve_filters = False

    def get_readonly_fields(self, request, obj=None):
        # The BSN identifies the person; once stored, correcting it is not an admin edit.
        return ["bsn"] if obj is not None else []


class ApplicationInline(ViewOnlyInline):
    model = Application


class AdviceInline(ViewOnlyInline):
    model = Advice


class DecisionInline(ViewOnlyInline):
    model = Decision


class EmploymentInline(ViewOnlyInline):
    model = Employment
    fk_name = "case"


class TermInline(ViewOnlyInline):
    model = Term
    classes = ["collapse"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "person",
        "municipality",
        "state",
        "state_since",
        "positive_decision_on",
        "priority_group",
        "assignee",
    ]
    list_filter = ["state", "priority_group", "municipality"]
    search_fields = ["=reference", "=person__bsn", "person__last_name"]
    list_select_related = ["person", "municipality", "assignee"]
    show_full_result_count = False
    preserve_filters = False  # see PersonAdmin: the search may be a BSN
    inlines = [ApplicationInline, AdviceInline, DecisionInline, EmploymentInline, TermInline]
    #: Everything that belongs to the lifecycle changes through the services only.
    readonly_fields = [
        "reference",
        "person",
        "municipality",
        "state",
        "state_since",
        "created_at",
        "submitted_at",
        "closed_at",
        "positive_decision_on",
        "positive_advice_on",
        # The order's inputs change on the case page, with a reason (DOMAIN §4.5).
        "priority_group",
        "council_position",
    ]
    fields = [*readonly_fields, "assignee"]
    autocomplete_fields = ["assignee"]

    def has_add_permission(self, request) -> bool:
        return False  # a case starts with services.create_application

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a case and its history are kept


# -- the legal steps, read-only ---------------------------------------------------------------


@admin.register(Objection)
class ObjectionAdmin(ViewOnlyAdmin):
    list_display = ["case", "filed_on", "in_time", "outcome", "decided_on"]
    list_filter = ["outcome", "in_time", "case__municipality"]
    search_fields = ["=case__reference"]
    list_select_related = ["case"]


@admin.register(Appeal)
class AppealAdmin(ViewOnlyAdmin):
    list_display = ["objection", "filed_on", "court", "outcome", "decided_on"]
    list_filter = ["outcome", "objection__case__municipality"]
    search_fields = ["=objection__case__reference"]
    list_select_related = ["objection"]


@admin.register(SupportProvision)
class SupportProvisionAdmin(ViewOnlyAdmin):
    list_display = ["case", "kind", "starts_on", "ends_on", "provider", "payer", "monthly_cost"]
    list_filter = ["kind", "payer", "case__municipality"]
    search_fields = ["=case__reference"]
    list_select_related = ["case"]


@admin.register(AvailabilityPeriod)
class AvailabilityPeriodAdmin(ViewOnlyAdmin):
    list_display = ["case", "reason", "unavailable_from", "available_again_on"]
    list_filter = ["reason", "case__municipality"]
    search_fields = ["=case__reference"]
    list_select_related = ["case"]


@admin.register(Employment)
class EmploymentAdmin(ViewOnlyAdmin):
    list_display = [
        "case",
        "municipality",
        "employer_name",
        "workplace_kind",
        "hours_per_week",
        "start_on",
        "end_on",
        "funding_kind",
    ]
    list_filter = ["workplace_kind", "funding_kind", "contract_kind", "municipality"]
    search_fields = ["=case__reference", "employer_name"]
    list_select_related = ["case", "municipality"]


@admin.register(Term)
class TermAdmin(ViewOnlyAdmin):
    list_display = ["case", "kind", "starts_on", "weeks", "end_on", "suspended_since", "met_on"]
    list_filter = ["kind", "case__municipality"]
    search_fields = ["=case__reference"]
    list_select_related = ["case"]


# -- history: never changes -------------------------------------------------------------------


@admin.register(TermEvent)
class TermEventAdmin(ViewOnlyAdmin):
    list_display = ["term", "kind", "on", "reason", "actor", "recorded_at"]
    list_filter = ["kind", "term__kind"]
    search_fields = ["=term__case__reference"]
    list_select_related = ["term__case", "actor"]


@admin.register(CaseEvent)
class CaseEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "case", "action", "from_state", "to_state", "actor"]
    list_filter = ["action", "to_state"]
    search_fields = ["=case__reference", "action"]
    list_select_related = ["case", "actor"]
    show_full_result_count = False


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "result", "origin"]
    list_filter = ["result", "object_type", "action"]
    search_fields = ["=object_id", "action", "actor_label"]
    show_full_result_count = False


# -- reference data: operators keep it up to date --------------------------------------------


@admin.register(DecreeHoliday)
class DecreeHolidayAdmin(admin.ModelAdmin):
    """The days of each new royal decree (§0). A change moves the ends of the running terms
    it touches (``services.decree_days_changed``), in the same transaction."""

    list_display = ["day", "description"]
    search_fields = ["description"]
    list_filter = [("day", admin.DateFieldListFilter)]

    def save_model(self, request, obj, form, change):
        before = form.initial.get("day") if change else None
        super().save_model(request, obj, form, change)
        days = {obj.day, before} - {None}
        self._moved(request, services.decree_days_changed(days=days, actor=request.user))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._moved(request, services.decree_days_changed(days={obj.day}, actor=request.user))

    def delete_queryset(self, request, queryset):
        days = set(queryset.values_list("day", flat=True))
        super().delete_queryset(request, queryset)
        self._moved(request, services.decree_days_changed(days=days, actor=request.user))

    def _moved(self, request, count: int) -> None:
        if count:
            self.message_user(
                request,
                ngettext(
                    "The end of %(count)d running term has moved.",
                    "The ends of %(count)d running terms have moved.",
                    count,
                )
                % {"count": count},
            )


@admin.register(AowAge)
class AowAgeAdmin(admin.ModelAdmin):
    list_display = ["year", "years", "months"]
    search_fields = ["=year"]
    list_filter = ["years"]


@admin.register(NationalQuota)
class NationalQuotaAdmin(admin.ModelAdmin):
    list_display = ["year", "places"]
    search_fields = ["=year"]
    list_filter = ["year"]


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    """DOMAIN §6.1: the adult minimum wage per hour, changed each 1 January and 1 July. Add
    the new amount before it comes into force; a calculation uses the amount in force on its
    date."""

    list_display = ["in_force_from", "hourly", "source"]
    date_hierarchy = "in_force_from"


# -- notifications: operators see failed deliveries and send them again --------------------------


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Failed and uncertain e-mails are listed for operators (filter on delivery) and can be
    sent again, with the same Message-ID."""

    actions = ["send_again"]

    list_display = ["created_at", "case", "kind", "channel", "state", "attempts", "last_error"]
    list_filter = ["state", "channel", "kind"]
    search_fields = ["=case__reference"]
    list_select_related = ["case"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed e-mails again"))
    def send_again(self, request, queryset):
        from .notifications import dispatch

        count = dispatch.send_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)s e-mails will be sent again.") % {"count": count})


# -- AVG: correction requests and retention -------------------------------------------------


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ViewOnlyAdmin):
    """Answered by the municipality's consultants on their own pages (``/werk/correcties/``)."""

    list_display = ("case", "received_on", "due_on", "state", "answered_at")
    list_filter = ("state",)
    list_select_related = ("case",)


@admin.register(RetentionRun)
class RetentionRunAdmin(ViewOnlyAdmin):
    """The report of each daily retention run: what it anonymised or deleted, per kind."""

    list_display = ("today", "started_at", "finished_at", "done_summary", "held_back", "failed")
    date_hierarchy = "started_at"

    @admin.display(description=_("anonymised or deleted"))
    def done_summary(self, run: RetentionRun) -> str:
        return (
            ", ".join(
                f"{RetentionKind(kind).label}: {count}" for kind, count in run.done.items() if count
            )
            or "–"
        )
