"""Discharge pages, under /discharge/ in the "discharge" namespace."""

from django.urls import path

from .views import discharge

app_name = "discharge"

urlpatterns = [
    path("families/<int:pk>/", discharge.discharge, name="discharge"),
    path("families/<int:pk>/letters/", discharge.discharge_letters, name="letters"),
    path("families/<int:pk>/reopen/", discharge.reopen, name="reopen"),
    path(
        "families/<int:pk>/requested-actions/<int:number>/entered-in-error/",
        discharge.mark_requested_action,
        name="requested_action_entered_in_error",
    ),
]
