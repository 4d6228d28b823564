from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("beroepsbevolking/", views.labour_force_import, name="labour_force_import"),
    path("<str:cbs_code>/", views.municipality_report, name="municipality"),
    path("<str:cbs_code>/cijfers.<str:fmt>", views.municipality_download, name="download"),
]
