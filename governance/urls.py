from django.urls import path

from .views import retention, subject_access

app_name = "governance"

urlpatterns = [
    path("retention/", retention.reviews, name="reviews"),
    path("retention/<int:pk>/", retention.review, name="review"),
    path("retention/<int:pk>/extend/", retention.extend, name="review-extend"),
    path("retention/<int:pk>/propose/", retention.propose, name="review-propose"),
    path("retention/<int:pk>/approve/", retention.approve, name="review-approve"),
    path("referrals/<int:pk>/subject-access/", subject_access.new, name="sar-new"),
    path("subject-access/<int:pk>/", subject_access.detail, name="sar"),
    path("subject-access/<int:pk>/release/", subject_access.release, name="sar-release"),
]
