"""Film vault API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import films

urlpatterns: list = [
    path("vault/filmings/<int:pk>/uploads/", films.FilmingUploadView.as_view(), name="vault-upload-create"),
    path("vault/uploads/<int:pk>/", films.UploadView.as_view(), name="vault-upload"),
    path("vault/films/<int:pk>/", films.FilmView.as_view(), name="vault-film"),
    path("vault/films/<int:pk>/cuts/", films.FilmCutsView.as_view(), name="vault-film-cuts"),
    path("vault/films/<int:pk>/play/", films.FilmStreamView.as_view(), name="vault-film-stream"),
    path("vault/films/<int:pk>/family-copy/", films.FamilyCopyView.as_view(), name="vault-family-copy"),
    path("vault/films/<int:pk>/destroy/", films.FilmDestroyView.as_view(), name="vault-film-destroy"),
    path("vault/clips/<int:pk>/training/play/", films.TrainingClipView.as_view(), name="vault-training-clip"),
    path(
        "vault/clips/<int:pk>/family-copy/download/",
        films.FamilyCopyFileView.as_view(),
        name="vault-family-copy-file",
    ),
    path("vault/clips/<int:pk>/<str:rendition>/", films.ClipStreamView.as_view(), name="vault-clip-stream"),
]
