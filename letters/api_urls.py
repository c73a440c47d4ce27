"""Letter API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import letters

urlpatterns = [
    path("referrals/<int:pk>/letters/", letters.FamilyLettersView.as_view(), name="letter-list"),
    path("referrals/<int:pk>/letters/draft/", letters.LetterDraftView.as_view(), name="letter-draft"),
    path("letters/<int:letter_id>/", letters.LetterDetailView.as_view(), name="letter-detail"),
    path("letters/<int:letter_id>/edit/", letters.LetterEditView.as_view(), name="letter-edit"),
    path("letters/<int:letter_id>/approve/", letters.LetterApproveView.as_view(), name="letter-approve"),
    path("letters/<int:letter_id>/sent/", letters.LetterMarkSentView.as_view(), name="letter-mark-sent"),
    path("letters/<int:letter_id>/regenerate/", letters.LetterRegenerateView.as_view(), name="letter-regenerate"),
    path("letters/<int:letter_id>/download/", letters.LetterDownloadView.as_view(), name="letter-download"),
]
