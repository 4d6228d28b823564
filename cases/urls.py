from django.urls import path

from . import views, views_region
from .privacy import views as privacy_views

app_name = "work"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("zaken/", views.worklist, name="case_list"),
    path("zaken/filter-bewaren/", views.save_filter, name="save_filter"),
    path("zaken/export.<str:fmt>", views.export, name="export"),
    path("zaken/<int:pk>/", views.case_detail, name="case_detail"),
    path("zaken/<int:pk>/besluitbrief.pdf", views.decision_letter, name="decision_letter"),
    path(
        "zaken/<int:pk>/document/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
    path("zaken/<int:pk>/persoon-koppelen/", views.case_link_person, name="case_link_person"),
    # Talking on the case and adding documents (issue #22).
    path("zaken/<int:pk>/bericht/", views.case_message, name="case_message"),
    path("zaken/<int:pk>/bericht-uwv/", views.case_uwv_message, name="case_uwv_message"),
    path("zaken/<int:pk>/document-toevoegen/", views.case_document_add, name="case_document_add"),
    # The actions on a case, one view each (``rules.CaseAction``).
    path("zaken/<int:pk>/besluit/", views.case_decide, name="case_decide"),
    path("zaken/<int:pk>/plaatsen/", views.case_place, name="case_place"),
    path(
        "zaken/<int:pk>/dienstverband-beeindigen/",
        views.case_end_employment,
        name="case_end_employment",
    ),
    path(
        "zaken/<int:pk>/baan-gaat-niet-door/",
        views.case_cancel_employment,
        name="case_cancel_employment",
    ),
    path("zaken/<int:pk>/contract/", views.case_contract, name="case_contract"),
    path("zaken/<int:pk>/voorziening/", views.case_provision, name="case_provision"),
    path(
        "zaken/<int:pk>/voorziening-beeindigen/",
        views.case_end_provision,
        name="case_end_provision",
    ),
    path("zaken/<int:pk>/beroep/", views.case_file_appeal, name="case_appeal"),
    path("zaken/<int:pk>/uitspraak-beroep/", views.case_decide_appeal, name="case_decide_appeal"),
    path("zaken/<int:pk>/niet-beschikbaar/", views.case_mark_unavailable, name="case_unavailable"),
    path("zaken/<int:pk>/weer-beschikbaar/", views.case_mark_available, name="case_available"),
    path("zaken/<int:pk>/bezwaar/", views.case_file_objection, name="case_object"),
    path(
        "zaken/<int:pk>/beslissing-op-bezwaar/",
        views.case_decide_objection,
        name="case_decide_objection",
    ),
    path("zaken/<int:pk>/voorranggroep/", views.case_priority, name="case_priority"),
    path(
        "zaken/<int:pk>/eigen-volgorde/",
        views.case_council_position,
        name="case_council_position",
    ),
    path("zaken/<int:pk>/plek-geweigerd/", views.case_refuse_place, name="case_refuse_place"),
    path("zaken/<int:pk>/teruggevallen/", views.case_fall_back, name="case_fall_back"),
    path("zaken/<int:pk>/nieuw-advies/", views.case_request_advice, name="case_request_advice"),
    path("zaken/<int:pk>/behandelaar/", views.case_assign, name="case_assign"),
    path("zaken/<int:pk>/verhuizing/", views.case_move, name="case_move"),
    path("aanvraag/", views.college_application, name="application_create"),
    path("wachtlijst/", views.waiting_list, name="waiting_list"),
    path("wachtlijst/regio/", views_region.regional_waiting, name="regional_waiting"),
    # Correction requests of citizens (AVG art. 16).
    path("correcties/", privacy_views.correction_list, name="correction_list"),
    path("correcties/<int:pk>/", privacy_views.correction_answer, name="correction_answer"),
]
