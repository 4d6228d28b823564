from django.contrib import admin

from .models import Municipality, Verordening, YearlyQuota


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "cbs_code", "labour_market_region"]
    search_fields = ["name", "cbs_code"]
    list_filter = ["labour_market_region"]


@admin.register(YearlyQuota)
class YearlyQuotaAdmin(admin.ModelAdmin):
    list_display = ["municipality", "year", "places"]
    list_filter = ["year"]
    search_fields = ["municipality__name", "municipality__cbs_code"]
    list_select_related = ["municipality"]


@admin.register(Verordening)
class VerordeningAdmin(admin.ModelAdmin):
    list_display = ["municipality", "in_force_from", "offers_additional_places", "ordering_rule"]
    list_filter = ["offers_additional_places", "ordering_rule"]
    search_fields = ["municipality__name"]
    list_select_related = ["municipality"]
