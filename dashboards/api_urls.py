"""Dashboard API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import dashboard

urlpatterns = [
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/families/", dashboard.FigureFamiliesView.as_view(), name="dashboard-families"),
]
