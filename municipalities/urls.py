from django.urls import path

from . import views

app_name = "manage"

# Addresses in Dutch, like the rest of the portal; the names stay English (code).

M = "<int:municipality_id>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("quotum-importeren/", views.quota_import, name="quota_import"),
    path(M, views.municipality, name="municipality"),
    path(M + "contactgegevens/", views.contact_edit, name="contact_edit"),
    path(M + "huisstijl/", views.theme_edit, name="theme_edit"),
    path(M + "huisstijl/standaard/", views.theme_reset, name="theme_reset"),
    path(M + "arbeidsmarktregio/", views.region_edit, name="region_edit"),
    path(M + "verordening/", views.verordening_list, name="verordening_list"),
    path(M + "verordening/nieuw/", views.verordening_create, name="verordening_create"),
    path(M + "verordening/<int:pk>/", views.verordening_detail, name="verordening_detail"),
    path(M + "verordening/<int:pk>/wijzigen/", views.verordening_edit, name="verordening_edit"),
    path(M + "verordening/afspraak-uwv/", views.uwv_agreement_edit, name="uwv_agreement_edit"),
    path(M + "quotum/", views.quota_list, name="quota_list"),
    path(M + "quotum/loonkostensubsidie/", views.wage_subsidy_edit, name="wage_subsidy_edit"),
    path(M + "werkgevers/", views.employer_list, name="employer_list"),
    path(M + "werkgevers/nieuw/", views.employer_create, name="employer_create"),
    path(M + "werkgevers/<int:pk>/", views.employer_edit, name="employer_edit"),
    path(M + "medewerkers/", views.staff_list, name="staff_list"),
    path(M + "medewerkers/uitnodigen/", views.staff_invite, name="staff_invite"),
    path(M + "medewerkers/<int:pk>/uitzetten/", views.staff_deactivate, name="staff_deactivate"),
    path(
        M + "medewerkers/<int:pk>/uitnodiging/",
        views.staff_resend_invitation,
        name="staff_resend_invitation",
    ),
    path(M + "medewerkers/<int:pk>/aanzetten/", views.staff_reactivate, name="staff_reactivate"),
    path(M + "ketenafspraken/", views.chain_list, name="chain_list"),
    path(M + "ketenafspraken/nieuw/", views.chain_create, name="chain_create"),
    path(M + "ketenafspraken/<int:pk>/", views.chain_detail, name="chain_detail"),
    path(M + "ketenafspraken/<int:pk>/wijzigen/", views.chain_edit, name="chain_edit"),
]
