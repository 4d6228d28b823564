"""The Django admin for operators: municipalities, their quota and verordening versions,
employers and chain agreements.

Quota and verordening versions have history that must not be rewritten (DOMAIN §4.1, §5): a
quota changed here goes through ``services.set_quota`` (a QuotaChange row and an audit entry),
the quota history itself is read-only, and a verordening version that is in force can no
longer be changed or deleted (a change is a new version).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import rules

from . import services
from .models import (
    VERORDENING_FIELDS,
    ChainAgreement,
    ChainPartner,
    ChainTarget,
    Employer,
    Municipality,
    QuotaChange,
    Verordening,
    YearlyQuota,
)


class ViewOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class YearlyQuotaInline(ViewOnlyMixin, admin.TabularInline):
    model = YearlyQuota
    fields = ["year", "places"]
    readonly_fields = ["year", "places"]
    extra = 0
    show_change_link = True


class VerordeningInline(ViewOnlyMixin, admin.TabularInline):
    model = Verordening
    fields = ["in_force_from", "offers_additional_places", "ordering_rule"]
    readonly_fields = ["in_force_from", "offers_additional_places", "ordering_rule"]
    extra = 0
    show_change_link = True


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "cbs_code", "labour_market_region"]
    search_fields = ["name", "cbs_code"]
    list_filter = ["labour_market_region"]
    inlines = [YearlyQuotaInline, VerordeningInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class YearlyQuotaAdminForm(forms.ModelForm):
    """The checks of ``rules.check_quota`` (at least 1 place, not more than the country has)
    as an error on the field, before ``services.set_quota`` saves."""

    class Meta:
        model = YearlyQuota
        fields = ["municipality", "year", "places"]

    def clean_places(self):
        places = self.cleaned_data["places"]
        try:
            rules.check_quota(places)
        except rules.RuleViolation as violation:
            raise ValidationError(
                violation.message, code=violation.code, params=violation.params
            ) from None
        return places


@admin.register(YearlyQuota)
class YearlyQuotaAdmin(admin.ModelAdmin):
    form = YearlyQuotaAdminForm
    list_display = ["municipality", "year", "places"]
    list_filter = ["year"]
    search_fields = ["municipality__name", "municipality__cbs_code"]
    list_select_related = ["municipality"]

    def get_readonly_fields(self, request, obj=None):
        return ["municipality", "year"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # every municipality keeps a quota; its history stays complete

    def save_model(self, request, obj, form, change):
        """Through the service, so the change is kept in QuotaChange and audited. The form has
        already checked the minimum of 1 place and one quota per year."""
        services.set_quota(
            municipality=obj.municipality,
            year=obj.year,
            places=obj.places,
            actor=request.user,
            origin="admin",
        )
        obj.pk = YearlyQuota.objects.get(municipality=obj.municipality, year=obj.year).pk


class VerordeningAdminForm(forms.ModelForm):
    """The checks of ``services.check_verordening_version``, as errors on the form's fields."""

    class Meta:
        model = Verordening
        fields = ["municipality", *VERORDENING_FIELDS]

    def clean(self):
        data = super().clean()
        municipality = data.get("municipality") or getattr(self.instance, "municipality", None)
        if municipality is None or self.errors:
            return data
        version = self.instance if self.instance.pk else None
        try:
            services.check_verordening_version(
                municipality.pk,
                {name: data.get(name) for name in VERORDENING_FIELDS},
                version=version,
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


@admin.register(Verordening)
class VerordeningAdmin(admin.ModelAdmin):
    """Versions are added and changed through the services (checked, audited), as on the
    municipality's own pages."""

    form = VerordeningAdminForm
    list_display = ["municipality", "in_force_from", "offers_additional_places", "ordering_rule"]
    list_filter = ["offers_additional_places", "ordering_rule", "municipality"]
    search_fields = ["municipality__name", "municipality__cbs_code"]
    list_select_related = ["municipality"]

    @staticmethod
    def in_force(obj) -> bool:
        """In force today or earlier: history, never edited (a change is a new version)."""
        return obj is not None and not services.is_editable(obj, timezone.localdate())

    def get_readonly_fields(self, request, obj=None):
        if self.in_force(obj):
            return [field.name for field in Verordening._meta.concrete_fields]
        return ["municipality"] if obj is not None else []  # a version stays with its own

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not self.in_force(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self.in_force(obj)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in VERORDENING_FIELDS}
        if change:
            saved = services.update_verordening_version(
                verordening_id=obj.pk, actor=request.user, origin="admin", **values
            )
        else:
            saved = services.create_verordening_version(
                municipality=obj.municipality, actor=request.user, origin="admin", **values
            )
        obj.pk = saved.pk


@admin.register(QuotaChange)
class QuotaChangeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Append-only history of the quota: nobody adds, changes or deletes it here."""

    list_display = ["changed_at", "municipality", "year", "old_places", "new_places", "source"]
    list_filter = ["source", "year", "municipality"]
    search_fields = ["municipality__name", "municipality__cbs_code", "=year"]
    list_select_related = ["municipality", "changed_by"]


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "kind", "active"]
    list_filter = ["kind", "active", "municipality"]
    search_fields = ["name", "municipality__name"]
    list_select_related = ["municipality"]


class ChainPartnerInline(admin.TabularInline):
    model = ChainPartner
    extra = 0


class ChainTargetInline(admin.TabularInline):
    model = ChainTarget
    extra = 0


@admin.register(ChainAgreement)
class ChainAgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "concluded_on"]
    list_filter = ["municipality"]
    search_fields = ["title", "municipality__name"]
    list_select_related = ["municipality"]
    inlines = [ChainPartnerInline, ChainTargetInline]
