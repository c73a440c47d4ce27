from django.urls import path

from .views import commissioner, dashboard, exports

app_name = "dashboards"

urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("figures/", dashboard.figure_list, name="figure_list"),
    path("figures/export.csv", dashboard.figure_csv, name="figure_csv"),
    path("commissioner-return/", commissioner.commissioner_page, name="commissioner_return"),
    path("commissioner-return.csv", commissioner.commissioner_csv, name="commissioner_csv"),
    path("exports/", exports.export_list, name="export_list"),
    path("exports/new/", exports.export_request, name="export_request"),
    path("exports/<int:export_id>/", exports.export_status, name="export_status"),
    path("exports/<int:export_id>/export.csv", exports.export_download, name="export_download"),
]
