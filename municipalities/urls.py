from django.urls import path

from . import views

app_name = "manage"

M = "<int:municipality_id>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("quota-import/", views.quota_import, name="quota_import"),
    path(M, views.municipality, name="municipality"),
    path(M + "contact/", views.contact_edit, name="contact_edit"),
    path(M + "verordening/", views.verordening_list, name="verordening_list"),
    path(M + "verordening/new/", views.verordening_create, name="verordening_create"),
    path(M + "verordening/<int:pk>/", views.verordening_detail, name="verordening_detail"),
    path(M + "verordening/<int:pk>/edit/", views.verordening_edit, name="verordening_edit"),
    path(M + "quota/", views.quota_list, name="quota_list"),
    path(M + "employers/", views.employer_list, name="employer_list"),
    path(M + "employers/new/", views.employer_create, name="employer_create"),
    path(M + "employers/<int:pk>/", views.employer_edit, name="employer_edit"),
    path(M + "staff/", views.staff_list, name="staff_list"),
    path(M + "staff/invite/", views.staff_invite, name="staff_invite"),
    path(M + "staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path(M + "chain/", views.chain_list, name="chain_list"),
    path(M + "chain/new/", views.chain_create, name="chain_create"),
    path(M + "chain/<int:pk>/", views.chain_detail, name="chain_detail"),
    path(M + "chain/<int:pk>/edit/", views.chain_edit, name="chain_edit"),
]
