"""Film vault API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import films

urlpatterns: list = [
    path("vault/filmings/<int:filming_id>/uploads/", films.FilmingUploadView.as_view(), name="vault-upload-create"),
    path("vault/uploads/<int:film_id>/", films.UploadView.as_view(), name="vault-upload"),
    path("vault/films/<int:film_id>/", films.FilmView.as_view(), name="vault-film"),
    path("vault/films/<int:film_id>/cuts/", films.FilmCutsView.as_view(), name="vault-film-cuts"),
    path("vault/films/<int:film_id>/play/", films.FilmStreamView.as_view(), name="vault-film-stream"),
    path("vault/films/<int:film_id>/family-copy/", films.FamilyCopyView.as_view(), name="vault-family-copy"),
    path("vault/films/<int:film_id>/destroy/", films.FilmDestroyView.as_view(), name="vault-film-destroy"),
    path("vault/clips/<int:cut_id>/training/play/", films.TrainingClipView.as_view(), name="vault-training-clip"),
    path(
        "vault/clips/<int:cut_id>/family-copy/download/",
        films.FamilyCopyFileView.as_view(),
        name="vault-family-copy-file",
    ),
    path("vault/clips/<int:cut_id>/<str:rendition>/", films.ClipStreamView.as_view(), name="vault-clip-stream"),
]
