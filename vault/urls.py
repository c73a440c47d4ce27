from django.urls import path

from .views import films, streams

app_name = "vault"

urlpatterns = [
    path("filmings/<int:filming_id>/", films.film_page, name="film"),
    path("filmings/<int:filming_id>/uploads/", streams.upload_create, name="upload_create"),
    path("uploads/<int:film_id>/", streams.upload, name="upload"),
    path("films/<int:film_id>/state/", streams.upload_state, name="film_state"),
    path("films/<int:film_id>/play/", streams.stream_film, name="film_stream"),
    path("films/<int:film_id>/cut/", films.cut_clips, name="cut_clips"),
    path("films/<int:film_id>/review/", films.shared_review, name="review"),
    path("films/<int:film_id>/family-copy/", films.family_copy, name="family_copy"),
    path("films/<int:film_id>/destroy/", films.destroy, name="destroy"),
    path("clips/<int:cut_id>/<str:rendition>/", streams.stream_clip, name="clip_stream"),
    path("clips/<int:cut_id>/training/play/", streams.training_clip, name="training_clip"),
    path("clips/<int:cut_id>/family-copy/download/", streams.family_copy_file, name="family_copy_file"),
]
