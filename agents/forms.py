"""Input parsing: anything odd in a query string or a POST becomes "no filter" or a 400, never a 500."""

from django import forms

from agents.models import Availability, DeviceModel
from agents.selectors import SORTS, BoardFilters
from exoadmin.text import is_ascii_digits


class BoardFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search name or number")
    availability = forms.ChoiceField(required=False, choices=[("", "Any availability"), *Availability.choices])
    model = forms.ChoiceField(required=False, label="Device model", choices=[
        ("", "Any device model"), (DeviceModel.CCM, "CCM devices"), (DeviceModel.INTEGRATIONS, "Phone/SIP")])
    busy = forms.ChoiceField(required=False, choices=[("", "Busy or free"), ("busy", "On a call"), ("free", "Free")])
    drift = forms.BooleanField(required=False, label="Drift only")
    sort = forms.ChoiceField(required=False, choices=[(key, label) for key, (label, _) in SORTS.items()])
    after = forms.CharField(required=False, max_length=500)

    def filters(self) -> BoardFilters:
        """The valid part of the input; invalid fields are dropped, not an error page."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return BoardFilters(
            availability=data.get("availability") or "", model=data.get("model") or "",
            busy=data.get("busy") or "", drift=bool(data.get("drift")), q=(data.get("q") or "").strip(),
            sort=data.get("sort") or "name", after=data.get("after") or "",
        )


class AgentIdsForm(forms.Form):
    """The agents ticked on the board for end of shift."""

    agents = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={
        "required": "Tick at least one agent first.",
    })

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any ids are accepted here; the view keeps only those the user may see.
        self.fields["agents"].valid_value = lambda value: is_ascii_digits(str(value))


DEVICE_ACTIONS = {"on": True, "off": False}


class PhoneSipForm(forms.Form):
    """`phone` and/or `sip`, each "on" or "off"."""

    phone = forms.ChoiceField(required=False, choices=[("", ""), ("on", "ON"), ("off", "OFF")])
    sip = forms.ChoiceField(required=False, choices=[("", ""), ("on", "ON"), ("off", "OFF")])

    def changes(self) -> dict[str, bool] | None:
        if not self.is_valid():
            return None
        changes = {name: value == "on" for name, value in self.cleaned_data.items() if value}
        return changes or None
