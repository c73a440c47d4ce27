"""Log-in and second-factor forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core.forms import NHSForm, NHSFormMixin
from core.text import SafeFormField


class LoginForm(NHSFormMixin, AuthenticationForm):
    """Username and password; failures are counted by django-axes."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class CodeForm(NHSForm):
    """A six-digit code from the authenticator app (or, at verification, a recovery code)."""

    code = SafeFormField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code shown in your authenticator app.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the security code"},
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().replace(" ", "")


class VerifyForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "code"
        ].help_text = (
            "The 6-digit code shown in your authenticator app, or one of your recovery codes if you have lost it."
        )
