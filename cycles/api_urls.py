"""Cycles API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import consent

urlpatterns: list = [
    # Consent and helping questions
    path("referrals/<int:pk>/consents/", consent.ConsentListView.as_view(), name="consent-list"),
    path("consents/<int:consent_id>/", consent.ConsentDetailView.as_view(), name="consent-detail"),
    path("consents/<int:consent_id>/withdraw/", consent.ConsentWithdrawView.as_view(), name="consent-withdraw"),
    path("consents/<int:consent_id>/signed-form/", consent.ConsentSignedFormView.as_view(), name="consent-signed-form"),
    path(
        "referrals/<int:pk>/helping-questions/",
        consent.HelpingQuestionListView.as_view(),
        name="helping-question-list",
    ),
    path(
        "helping-questions/<int:question_id>/ratings/",
        consent.HelpingQuestionRatingsView.as_view(),
        name="helping-question-ratings",
    ),
    path(
        "helping-questions/<int:question_id>/wording/",
        consent.HelpingQuestionWordingView.as_view(),
        name="helping-question-wording",
    ),
]
