"""Cycles API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import cycles

urlpatterns: list = [
    path("referrals/<int:pk>/cycles/", cycles.ReferralCycleListView.as_view(), name="cycle-list"),
    path("cycles/<int:pk>/", cycles.CycleDetailView.as_view(), name="cycle-detail"),
    path("cycles/<int:pk>/filming/", cycles.CycleFilmingView.as_view(), name="cycle-filming"),
    path("cycles/<int:pk>/clips/", cycles.CycleClipView.as_view(), name="cycle-clips"),
    path("cycles/<int:pk>/shared-review/", cycles.CycleSharedReviewView.as_view(), name="cycle-shared-review"),
]
