from django.urls import path

from .views import consent, helping_questions

app_name = "cycles"

urlpatterns: list = [
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
