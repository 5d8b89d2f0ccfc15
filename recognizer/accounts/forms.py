"""Sign-up (Django's UserCreationForm with an email address, which password resets need) and the API
token page's one button."""
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("Only to send you a link if you forget your password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        """One account per address, whatever its case: a reset link must reach exactly one account."""
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."), code="taken")
        return email


class TokenForm(forms.Form):
    CREATE, REVOKE = "create", "revoke"

    action = forms.ChoiceField(choices=[(CREATE, _("Create a new token")), (REVOKE, _("Revoke the token"))])
