"""Notice API routes, under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import notices

urlpatterns = [
    path("notices/", notices.NoticeListView.as_view(), name="notice-list"),
    path("notices/<int:pk>/acknowledge/", notices.NoticeAcknowledgeView.as_view(), name="notice-acknowledge"),
]
