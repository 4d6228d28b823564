from django.urls import path

from . import views

app_name = "citizen"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("aanvraag/", views.draft_start, name="draft_start"),
    path("aanvraag/<int:pk>/documenten/", views.draft_documents, name="draft_documents"),
    path("aanvraag/<int:pk>/controleren/", views.draft_review, name="draft_review"),
    path("aanvraag/<int:pk>/verwijderen/", views.draft_delete, name="draft_delete"),
    path("aanvraag/<int:pk>/<slug:step>/", views.draft_step, name="draft_step"),
    # The citizen's AVG rights: inzage (art. 15) and correction (art. 16).
    path("gegevens/", views.my_data, name="my_data"),
    path("gegevens/mijn-gegevens.json", views.my_data_json, name="my_data_json"),
    path("gegevens/mijn-gegevens.pdf", views.my_data_pdf, name="my_data_pdf"),
    path("dossier/<int:pk>/correctie/", views.correction_create, name="correction_create"),
    path("dossier/<int:pk>/", views.case_detail, name="case_detail"),
    path("dossier/<int:pk>/ontvangen/", views.receipt, name="receipt"),
    path("dossier/<int:pk>/besluit.pdf", views.decision_letter, name="decision_letter"),
    path("dossier/<int:pk>/bezwaar/", views.objection_create, name="objection_create"),
    path("dossier/<int:pk>/intrekken/", views.withdraw, name="withdraw"),
    path("dossier/<int:pk>/contactgegevens/", views.contact_update, name="contact_update"),
    path("dossier/<int:pk>/bericht/", views.message_post, name="message_post"),
    path("dossier/<int:pk>/antwoord-uwv/", views.uwv_answer, name="uwv_answer"),
    path(
        "dossier/<int:pk>/document/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
]
