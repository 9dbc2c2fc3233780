"""Marshmallow schemas shared by every domain."""

from __future__ import annotations

import marshmallow as ma


class MoneySchema(ma.Schema):
    """``{"amount": 125000, "currency": "NGN"}``: integer minor units and an ISO 4217 code."""

    amount = ma.fields.Integer(required=True, metadata={"description": "Minor units (kobo, cents)"})
    currency = ma.fields.String(required=True, metadata={"example": "NGN"})
