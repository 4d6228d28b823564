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
    path("zaken/<int:pk>/<slug:action>/", views_uwv.case_action, name="case_action"),
]
