from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("zaken/", views.worklist, name="case_list"),
    path("zaken/filter-bewaren/", views.save_filter, name="save_filter"),
    path("zaken/export.<str:fmt>", views.export, name="export"),
    path("zaken/<int:pk>/", views.case_detail, name="case_detail"),
    path("zaken/<int:pk>/besluitbrief.pdf", views.decision_letter, name="decision_letter"),
    path("zaken/<int:pk>/verhuizing/", views.case_move, name="case_move"),
    path(
        "zaken/<int:pk>/document/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
    path("zaken/<int:pk>/persoon-koppelen/", views.case_link_person, name="case_link_person"),
    path("zaken/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
    path("aanvraag/", views.college_application, name="application_create"),
    path("wachtlijst/", views.waiting_list, name="waiting_list"),
]
