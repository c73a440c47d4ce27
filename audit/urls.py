from django.urls import path

from .views import log

app_name = "audit"

urlpatterns = [
    path("", log.audit_log, name="log"),
    path("export/", log.audit_export, name="export"),
]
