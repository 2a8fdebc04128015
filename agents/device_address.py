"""What a person types for a device, as the contact URI Exotel stores: E.164 numbers, SIP addresses."""

import phonenumbers

from exoadmin.accounts.models import Region

# Where a number written without its country code is assumed to be.
REGION_COUNTRY: dict[str, str] = {Region.MUMBAI: "IN", Region.SINGAPORE: "SG"}


def device_address(text: str, region: str = Region.MUMBAI) -> str:
    """The contact URI Exotel stores for what a person typed: E.164 for a phone number, the SIP
    address as written; "" when it is neither (a name, part of a number)."""
    text = text.strip()
    if text.lower().startswith("sip:") and len(text) > 4 and " " not in text:
        return text
    if sum(char.isdigit() for char in text) < 8:
        return ""
    try:
        number = phonenumbers.parse(text, REGION_COUNTRY.get(region, "IN"))
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
