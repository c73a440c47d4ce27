"""Letter pages, under /letters/ in the "letters" namespace."""

from django.urls import path

from .views import batch, letters, settings

app_name = "letters"

urlpatterns = [
    path("family/<int:pk>/", letters.family_letters, name="list"),
    path("family/<int:pk>/draft/<str:kind>/", letters.draft, name="draft"),
    path("<int:letter_id>/", letters.detail, name="detail"),
    path("<int:letter_id>/edit/", letters.edit, name="edit"),
    path("<int:letter_id>/preview/", letters.preview, name="preview"),
    path("<int:letter_id>/approve/", letters.approve, name="approve"),
    path("<int:letter_id>/confirm-bereavement/", letters.confirm_bereavement, name="confirm_bereavement"),
    path("<int:letter_id>/sent/", letters.mark_sent, name="mark_sent"),
    path("<int:letter_id>/regenerate/", letters.regenerate, name="regenerate"),
    path("<int:letter_id>/download/", letters.download, name="download"),
    path("batch/", batch.batch, name="batch"),
    path("settings/<slug:service>/", settings.letter_settings, name="settings"),
    path("settings/<slug:service>/family-languages/", settings.translation_start, name="translation_start"),
    path("settings/<slug:service>/family-languages/<str:language>/", settings.letter_translation, name="translation"),
    path("settings/<slug:service>/<str:kind>/", settings.letter_template, name="template"),
]
