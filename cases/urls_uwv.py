from django.urls import path

from . import views_uwv

app_name = "uwv"

urlpatterns = [
    path("", views_uwv.queue, name="queue"),
    path("zaken/<int:pk>/", views_uwv.case_detail, name="case_detail"),
    path(
        "zaken/<int:pk>/document/<int:document_pk>/",
        views_uwv.document_download,
        name="document_download",
    ),
    path("zaken/<int:pk>/onderzoek-starten/", views_uwv.case_start, name="case_start"),
    path("zaken/<int:pk>/advies/", views_uwv.case_advice, name="case_advice"),
    path("zaken/<int:pk>/termijn-opschorten/", views_uwv.case_suspend, name="case_suspend"),
    path("zaken/<int:pk>/termijn-hervatten/", views_uwv.case_resume, name="case_resume"),
    path("zaken/<int:pk>/bericht/", views_uwv.case_message, name="case_message"),
    path(
        "zaken/<int:pk>/document-toevoegen/",
        views_uwv.case_document_add,
        name="case_document_add",
    ),
]
