from django.urls import path

from . import api

app_name = "fhir"

urlpatterns = [
    path("", api.ReferralBundleView.as_view(), name="base"),
    path("metadata", api.MetadataView.as_view(), name="metadata"),
    path("DocumentReference/<int:letter_id>", api.DocumentReferenceView.as_view(), name="document-reference"),
]
