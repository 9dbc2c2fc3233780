"""Reusable marshmallow fields that validate and normalise real-world identifiers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import phonenumbers
import pycountry

from app.core.money import is_known_currency


class PhoneNumber(ma.fields.String):
    """A phone number, stored in E.164 (+2348031234567). National numbers need ``+``."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"description": "E.164 phone number, e.g. +2348031234567", "example": "+2348031234567"}
        super().__init__(validate=ma.validate.Length(max=32), metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException as exc:
            raise ma.ValidationError("Not a phone number in international format (+country code).") from exc
        if not phonenumbers.is_valid_number(number):
            raise ma.ValidationError("Not a valid phone number.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class CountryCode(ma.fields.String):
    """An ISO 3166-1 alpha-2 country code, upper-cased (``ng`` → ``NG``)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"description": "ISO 3166-1 alpha-2 code", "example": "NG"}
        super().__init__(validate=ma.validate.Length(equal=2), metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        if pycountry.countries.get(alpha_2=code) is None:
            raise ma.ValidationError("Not an ISO 3166-1 country code.")
        return code


class CurrencyCode(ma.fields.String):
    """An ISO 4217 currency code, upper-cased (``ngn`` → ``NGN``)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"description": "ISO 4217 currency code", "example": "NGN"}
        super().__init__(validate=ma.validate.Length(equal=3), metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        if not is_known_currency(code):
            raise ma.ValidationError("Not an ISO 4217 currency code.")
        return code
