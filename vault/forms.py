"""The vault's page forms. The film's file is trusted by its content after upload (ffprobe), never its name."""

from django import forms

from core.forms import NHSForm


class FilmUploadForm(NHSForm):
    """The plain form for small films (no JavaScript): the whole file in one request."""

    film = forms.FileField(
        label="The film",
        help_text="The video file from the camera or phone. Larger films upload in parts when JavaScript is on.",
        error_messages={"required": "Choose the film to upload"},
    )


class ConfirmForm(NHSForm):
    """A button's form: nothing to fill in, a one-time token so a double click acts once."""
