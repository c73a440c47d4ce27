from django.urls import path

from .views import dashboard

app_name = "dashboards"

urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("figures/", dashboard.figure_list, name="figure_list"),
    path("figures/export.csv", dashboard.figure_csv, name="figure_csv"),
    path("commissioner-return.csv", dashboard.commissioner_csv, name="commissioner_csv"),
]
