"""Marshmallow schemas shared by every domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma


class MoneySchema(ma.Schema):
    """``{"amount": 125000, "currency": "NGN"}``: integer minor units and an ISO 4217 code."""

    amount = ma.fields.Integer(required=True, metadata={"description": "Minor units (kobo, cents)"})
    currency = ma.fields.String(required=True, metadata={"example": "NGN"})


def shown_options(options: Mapping[str, Any]) -> dict[str, str | None]:
    """A variant's options as a ``Dict(values=String())`` field dumps them: a value stored
    as a JSON number or boolean is shown as its text. Views sent without a dump (the cart
    after an add, a placed order) use it to be exactly what their schema would send."""
    return {
        key: value if value is None or isinstance(value, str) else str(value)
        for key, value in options.items()
    }
