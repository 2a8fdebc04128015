"""Forms: which account, which file; which contacts and which fields to set."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from contacts import csvfile
from contacts.models import EDITABLE_FIELDS
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.selectors import accounts_for_user

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # about two million rows of a typical edit


class AccountForm(forms.Form):
    account = forms.ModelChoiceField(queryset=ExotelAccount.objects.none(), empty_label=None, label="Exotel account")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = accounts_for_user(user)


class UploadForm(AccountForm):
    file = forms.FileField(label="CSV file", help_text="UTF-8 CSV: a sid column and the columns to change.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB: split it.")
        if upload.size == 0:
            raise ValidationError("The file is empty.")
        return upload


class SelectionEditForm(AccountForm):
    """The same new values for every selected contact; empty fields stay as they are."""

    sids = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    number = forms.CharField(required=False, help_text="E.164, e.g. +919845012345")
    first_name = forms.CharField(required=False)
    last_name = forms.CharField(required=False)
    company_name = forms.CharField(required=False, label="Company")
    email = forms.CharField(required=False)
    tag = forms.CharField(required=False)
    custom_field = forms.CharField(
        required=False,
        label="Custom field (JSON object)",
        widget=forms.TextInput(attrs={"placeholder": '{"plan": "gold"}'}),
    )

    def clean_sids(self):
        sids = [sid.strip() for sid in cast(QueryDict, self.data).getlist("sids") if sid.strip()]
        if not sids:
            raise ValidationError("Select at least one contact.")
        if any(len(sid) > csvfile.SID_MAX_LENGTH or any(ch.isspace() for ch in sid) for sid in sids):
            raise ValidationError(f"A contact sid has spaces or is longer than {csvfile.SID_MAX_LENGTH} characters.")
        return sids

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        edit = csvfile.check_fields(1, "-", {name: cleaned.get(name) or "" for name in EDITABLE_FIELDS})
        for problem in edit.problems:
            if problem.column:
                self.add_error(problem.column, problem.message)
            else:
                self.add_error(None, "Fill in at least one field to set.")
        cleaned["changes"] = edit.fields
        return cleaned
