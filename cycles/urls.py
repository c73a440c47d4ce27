from django.urls import path

from .views import consent, cycles, footage, helping_questions, supervision, visits

app_name = "cycles"

urlpatterns: list = [
    path("referrals/<int:pk>/start-cycle/", cycles.start_cycle, name="cycle_start"),
    path("<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path("<int:pk>/filming/", cycles.record_filming, name="cycle_filming"),
    path("<int:pk>/clips/add/", cycles.add_clip, name="cycle_clip_add"),
    path("<int:pk>/shared-review/", cycles.record_shared_review, name="cycle_shared_review"),
]

urlpatterns += [
    path("diary/", visits.diary_page, name="diary"),
    path("referrals/<int:pk>/visits/book/", visits.book, name="visit_book"),
    path("referrals/<int:pk>/liaison/", visits.liaison, name="liaison_record"),
    path("visits/<int:pk>/", visits.detail, name="visit_detail"),
    path("visits/<int:pk>/record/", visits.record, name="visit_record"),
    path("visits/<int:pk>/reschedule/", visits.reschedule, name="visit_reschedule"),
]

urlpatterns += [
    path("training/", supervision.my_training, name="my_training"),
    path("trainees/<int:membership_id>/", supervision.trainee_progress_page, name="trainee_progress"),
    path("trainees/<int:membership_id>/stage/", supervision.record_stage, name="record_stage"),
    path("supervision/", supervision.supervision, name="supervision"),
    path("supervision/trainees/<int:membership_id>/", supervision.record_supervision, name="record_supervision"),
    path("filmings/<int:pk>/footage/", footage.footage, name="footage"),
    path("footage/<int:pk>/destroyed/", footage.confirm_destruction, name="confirm_destruction"),
]

urlpatterns += [
    # Consent and helping questions
    path("families/<int:pk>/consent/", consent.consent_list, name="consents"),
    path("families/<int:pk>/consent/record/", consent.record_consent, name="consent_record"),
    path("consents/<int:consent_id>/", consent.consent_detail, name="consent_detail"),
    path("consents/<int:consent_id>/withdraw/", consent.withdraw_consent, name="consent_withdraw"),
    path("consents/<int:consent_id>/signed-form/", consent.signed_form, name="consent_signed_form"),
    path("families/<int:pk>/helping-questions/", helping_questions.helping_questions, name="helping_questions"),
    path(
        "families/<int:pk>/helping-questions/add/",
        helping_questions.add_helping_question,
        name="helping_question_add",
    ),
    path(
        "helping-questions/<int:question_id>/rate/",
        helping_questions.rate_helping_question,
        name="helping_question_rate",
    ),
    path(
        "helping-questions/<int:question_id>/wording/",
        helping_questions.reword_helping_question,
        name="helping_question_reword",
    ),
]
