"""Reusable marshmallow fields that validate and normalise real-world identifiers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import phonenumbers
import pycountry

from app.core.money import is_known_currency

MAX_PHONE_LENGTH = 32


class PhoneNumber(ma.fields.String):
    """A phone number, stored in E.164 (+2348031234567). National numbers need ``+``."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "description": "E.164 phone number; must be a number in use in its country",
            "example": "+2348031234567",
            "pattern": r"^\+[1-9][0-9]{6,14}$",
        }
        super().__init__(metadata={**metadata, "maxLength": MAX_PHONE_LENGTH}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        if len(raw) > MAX_PHONE_LENGTH:  # checked before parsing, which drops trailing junk
            raise ma.ValidationError(f"Longer than {MAX_PHONE_LENGTH} characters.")
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException as exc:
            raise ma.ValidationError("Not a phone number in international format (+country code).") from exc
        if not phonenumbers.is_valid_number(number):
            raise ma.ValidationError("Not a valid phone number.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


COUNTRY_CODES = sorted(country.alpha_2 for country in pycountry.countries)
CURRENCY_CODES = sorted(code for code in (c.alpha_3 for c in pycountry.currencies) if is_known_currency(code))


class _UpperCaseCode(ma.fields.String):
    """A code from a fixed list, accepted in any case and returned upper-cased.

    The list is published as an ``enum`` in the OpenAPI document, so clients (and the
    fuzzer) know exactly what is valid.
    """

    codes: list[str]
    error: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=ma.validate.OneOf(self.codes, error=self.error), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).upper()


class CountryCode(_UpperCaseCode):
    """An ISO 3166-1 alpha-2 country code (``ng`` → ``NG``)."""

    codes = COUNTRY_CODES
    error = "Not an ISO 3166-1 alpha-2 country code."


class CurrencyCode(_UpperCaseCode):
    """An ISO 4217 currency code (``ngn`` → ``NGN``)."""

    codes = CURRENCY_CODES
    error = "Not an ISO 4217 currency code."


#: Text with at least one character that is not a space, tab or line break. Anchored and
#: written without ``\s``/``$`` so Python (``re.match``) and JSON Schema (ECMA regexes,
#: searched) agree on every string, and a fuzzer reading the document agrees with us.
NOT_BLANK = ma.validate.Regexp(r"^[ \t\r\n]*[^ \t\r\n]", error="Must not be blank.")


class StrictBoolean(ma.fields.Boolean):
    """A JSON ``true`` or ``false``; ``0``, ``1`` or ``"yes"`` in a body is a mistake, not a flag."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value
