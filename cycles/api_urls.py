"""Cycles API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import consent, cycles, footage, supervision, visits

urlpatterns: list = [
    path("referrals/<int:pk>/cycles/", cycles.ReferralCycleListView.as_view(), name="cycle-list"),
    path("referrals/<int:pk>/cycles/plan/", cycles.ReferralCyclePlanView.as_view(), name="cycle-plan"),
    path("cycles/<int:pk>/", cycles.CycleDetailView.as_view(), name="cycle-detail"),
    path("cycles/<int:pk>/filming/", cycles.CycleFilmingView.as_view(), name="cycle-filming"),
    path("cycles/<int:pk>/clips/", cycles.CycleClipView.as_view(), name="cycle-clips"),
    path("cycles/<int:pk>/shared-review/", cycles.CycleSharedReviewView.as_view(), name="cycle-shared-review"),
]

urlpatterns += [
    path("referrals/<int:pk>/visits/", visits.ReferralVisitsView.as_view(), name="visit-list"),
    path("visits/<int:pk>/", visits.VisitDetailView.as_view(), name="visit-detail"),
    path("visits/<int:pk>/record/", visits.VisitRecordView.as_view(), name="visit-record"),
    path("visits/<int:pk>/reschedule/", visits.VisitRescheduleView.as_view(), name="visit-reschedule"),
    path("diary/", visits.DiaryView.as_view(), name="diary"),
    path("referrals/<int:pk>/liaisons/", visits.ReferralLiaisonsView.as_view(), name="liaison-list"),
]

urlpatterns += [
    path("supervision-sessions/", supervision.SupervisionSessionListView.as_view(), name="supervision-session-list"),
    path("trainees/<int:user_id>/progress/", supervision.TraineeProgressView.as_view(), name="trainee-progress"),
    path("trainees/<int:user_id>/stages/", supervision.TraineeStageView.as_view(), name="trainee-stages"),
    path("filmings/<int:pk>/footage/", footage.FilmingFootageView.as_view(), name="filming-footage"),
    path("footage/destruction/", footage.FootageDestructionListView.as_view(), name="footage-destruction-list"),
    path(
        "footage/<int:pk>/confirm-destruction/",
        footage.FootageDestructionView.as_view(),
        name="footage-confirm-destruction",
    ),
]

urlpatterns += [
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
