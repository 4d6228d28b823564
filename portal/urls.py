from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, register_converter
from django.urls.converters import IntConverter
from django.utils.translation import gettext_lazy as _

from municipalities import views as municipality_views

from . import health, views


class IdConverter(IntConverter):
    """A row id: at most 18 digits, so that a longer number is "not found" rather than a
    number too large for the database."""

    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")

# The admin signs in through allauth, so MFA and rate limits cover it as well.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Sheltered work portal: administration")
admin.site.site_title = _("Sheltered work portal")

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("contact/", views.contact, name="contact"),
    path(
        "privacy/",
        views.static_page,
        {"template": "portal/privacy.html"},
        name="privacy",
    ),
    path(
        "toegankelijkheid/",
        views.static_page,
        {"template": "portal/accessibility.html"},
        name="accessibility",
    ),
    # A municipality's theme, public (its pages, letters and mails show it).
    path(
        "huisstijl/<id:municipality_id>.css",
        municipality_views.theme_stylesheet,
        name="theme_stylesheet",
    ),
    path("huisstijl/<id:municipality_id>/logo", municipality_views.theme_logo, name="theme_logo"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("beheer/", include("municipalities.urls")),
    path("werk/", include("cases.urls")),
    path("uwv/", include("cases.urls_uwv")),
    path("mijn/", include("portal.citizen.urls")),
    path("meldingen/", include("cases.notifications.urls")),
    path("cijfers/", include("cases.reports.urls")),
    path("api/v1/", include("cases.api.urls")),
]

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
