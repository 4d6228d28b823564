from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import API_SCOPES_BY_ROLE, ApiClient, Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "municipality", "is_active"]
    list_filter = ["role", "municipality", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["municipality"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone")}),
        (_("Role"), {"fields": ("role", "municipality", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "role", "municipality", "password1", "password2"),
            },
        ),
    )


class ApiClientForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "is_active"]

    def clean_scopes(self):
        allowed = API_SCOPES_BY_ROLE.get(Role(self.instance.account.role), ())
        scopes = list(dict.fromkeys(self.cleaned_data["scopes"].split()))
        if not scopes or not set(scopes) <= set(allowed):
            raise forms.ValidationError(
                _("Choose one or more of the scopes of this client's role: %(scopes)s."),
                params={"scopes": " ".join(allowed)},
            )
        return " ".join(scopes)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Clients of the case exchange API. They are created with ``manage.py
    create_api_client``, which shows the secret once; here an operator renames one, changes
    its scopes or switches it off. Nobody deletes one: the audit log names it."""

    form = ApiClientForm
    list_display = ["name", "role", "municipality", "scopes", "is_active", "created_at"]
    list_filter = ["is_active", "account__role", "account__municipality"]
    list_select_related = ["account__municipality", "application"]
    search_fields = ["name", "application__client_id"]
    fields = ["name", "client_id", "role", "municipality", "scopes", "is_active", "created_at"]
    readonly_fields = ["client_id", "role", "municipality", "created_at"]

    @admin.display(description=_("role"))
    def role(self, obj) -> str:
        return obj.account.get_role_display()

    @admin.display(description=_("municipality"))
    def municipality(self, obj) -> str:
        return str(obj.account.municipality or "–")

    @admin.display(description=_("client ID"))
    def client_id(self, obj) -> str:
        return obj.application.client_id

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # The history and the audit name the client by its account.
        if obj.account.first_name != obj.name:
            obj.account.first_name = obj.name
            obj.account.save(update_fields=["first_name"])
