from django.urls import path

from .views import films, streams

app_name = "vault"

urlpatterns = [
    path("filmings/<int:pk>/", films.film_page, name="film"),
    path("filmings/<int:pk>/uploads/", streams.upload_create, name="upload_create"),
    path("uploads/<int:pk>/", streams.upload, name="upload"),
    path("films/<int:pk>/state/", streams.upload_state, name="film_state"),
    path("films/<int:pk>/play/", streams.stream_film, name="film_stream"),
    path("films/<int:pk>/cut/", films.cut_clips, name="cut_clips"),
    path("films/<int:pk>/review/", films.shared_review, name="review"),
    path("films/<int:pk>/family-copy/", films.family_copy, name="family_copy"),
    path("films/<int:pk>/destroy/", films.destroy, name="destroy"),
    path("clips/<int:pk>/<str:rendition>/", streams.stream_clip, name="clip_stream"),
    path("clips/<int:pk>/training/play/", streams.training_clip, name="training_clip"),
    path("clips/<int:pk>/family-copy/download/", streams.family_copy_file, name="family_copy_file"),
]
