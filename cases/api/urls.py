"""The addresses of the case exchange API, version 1 (``/api/v1/``)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import schema, views  # noqa: F401  (schema registers how clients sign in)

app_name = "api"

urlpatterns = [
    # OAuth2 client credentials (django-oauth-toolkit's token endpoint only: no authorisation
    # pages, no management of applications by users).
    path("token/", views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("uwv/queue/", views.UwvQueueView.as_view(), name="uwv_queue"),
    path("uwv/cases/<int:pk>/", views.UwvCaseView.as_view(), name="uwv_case"),
    path("uwv/cases/<int:pk>/advice/", views.UwvAdviceView.as_view(), name="uwv_advice"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/<int:pk>/", views.CaseView.as_view(), name="case"),
    path("cases/<int:pk>/decision/", views.DecisionCreateView.as_view(), name="decision_create"),
    path("cases/<int:pk>/placement/", views.PlacementCreateView.as_view(), name="placement_create"),
    path("decisions/", views.DecisionListView.as_view(), name="decision_list"),
    path("placements/", views.PlacementListView.as_view(), name="placement_list"),
    path("waiting-list/", views.WaitingListView.as_view(), name="waiting_list"),
]
