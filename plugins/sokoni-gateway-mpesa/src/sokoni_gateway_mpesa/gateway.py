"""M-Pesa through Safaricom's Daraja API: OAuth token, STK push, STK push query, callback.

Written only against Sokoni's public gateway API (``app.payments.gateways``: the base class
and dataclasses, plus the shared HTTP, token-cache and payload helpers), as any third-party
gateway would be.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from app.core.money import Money
from app.payments.gateways.base import (
    BaseGateway,
    PaymentInit,
    PaymentMethod,
    PaymentQuery,
    PaymentRequest,
    PaymentState,
    PaymentStatus,
    RefundRequest,
    RefundResult,
    WebhookEvent,
)
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.http import GatewayHttp, provider_message, token_cache
from app.payments.gateways.payload import load_json, mask_phone, money_from_major, msisdn, section

SANDBOX_URL = "https://sandbox.safaricom.co.ke"
#: Daraja's timestamps (part of the password) are Kenyan local time.
NAIROBI = timezone(timedelta(hours=3))
#: The STK query answers HTTP 500 with this code while the customer has not yet answered.
STILL_PROCESSING = "500.001.1001"
#: Result codes that mean the customer did not go ahead (as opposed to a failure).
CANCELLED_RESULTS = {"1032"}


class MpesaGateway(BaseGateway):
    id = "mpesa"
    display_name = "M-Pesa"
    currencies = frozenset({"KES"})
    countries = frozenset({"KE"})
    methods = frozenset({PaymentMethod.MOBILE_MONEY})
    required_settings = ("MPESA_CONSUMER_KEY", "MPESA_CONSUMER_SECRET", "MPESA_SHORTCODE", "MPESA_PASSKEY")
    webhooks_signed = False
    supports_refunds = False

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.http = GatewayHttp(self.id, self.setting("MPESA_BASE_URL", SANDBOX_URL), self.timeout)
        self.shortcode = self.setting("MPESA_SHORTCODE")

    def initialize_payment(self, request: PaymentRequest) -> PaymentInit:
        self.ensure_currency(request.amount)
        shillings = _whole_shillings(request.amount)
        phone = _kenyan_msisdn(request.customer.phone)
        body = {
            **self._credentials(),
            "TransactionType": self.setting("MPESA_TRANSACTION_TYPE", "CustomerPayBillOnline"),
            "Amount": shillings,
            "PartyA": phone,
            "PartyB": self.setting("MPESA_PARTY_B", self.shortcode),
            "PhoneNumber": phone,
            "CallBackURL": request.callback_url,
            "AccountReference": request.reference[:12],  # Daraja's limits
            "TransactionDesc": (request.description or "Payment")[:13],
        }
        data = self._post("/mpesa/stkpush/v1/processrequest", body)
        if str(data.get("ResponseCode")) != "0":
            raise GatewayError(GatewayErrorKind.DECLINED, self.id, provider_message(data))
        return PaymentInit(
            provider_reference=str(data["CheckoutRequestID"]),
            status=PaymentState.PENDING,
            instructions=(
                f"Enter your M-Pesa PIN on the phone {mask_phone(phone)} to pay {request.amount.format()}."
            ),
            raw=data,
        )

    def verify_payment(self, query: PaymentQuery) -> PaymentStatus:
        if not query.provider_reference:
            raise GatewayError(GatewayErrorKind.UNSUPPORTED, self.id, "the CheckoutRequestID is required")
        body = {**self._credentials(), "CheckoutRequestID": query.provider_reference}
        data = self._post("/mpesa/stkpushquery/v1/query", body, accept=(500,))
        if data.get("errorCode") == STILL_PROCESSING:
            state, reason = PaymentState.PENDING, ""
        elif "ResultCode" in data:
            state, reason = _result(data.get("ResultCode")), str(data.get("ResultDesc", ""))
        else:
            raise GatewayError(GatewayErrorKind.NETWORK, self.id, f"query failed: {provider_message(data)}")
        return PaymentStatus(
            status=state,
            amount=None,  # the query does not say; an STK push's amount is fixed by the merchant
            reference=query.reference,
            provider_reference=query.provider_reference,
            failure_reason="" if state is PaymentState.SUCCEEDED else reason,
            raw=data,
        )

    def process_refund(self, request: RefundRequest) -> RefundResult:
        raise GatewayError(
            GatewayErrorKind.UNSUPPORTED,
            self.id,
            "M-Pesa reversals need initiator credentials: refund from the M-Pesa portal",
        )

    def verify_webhook_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Daraja signs nothing; the callback is accepted as a hint and re-verified."""
        return True

    def parse_webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        payload = load_json(body, self.id)
        callback = section(section(payload, "Body"), "stkCallback")
        if not callback.get("CheckoutRequestID"):
            raise GatewayError(GatewayErrorKind.INVALID_RESPONSE, self.id, "not an STK callback")
        items = section(callback, "CallbackMetadata").get("Item") or []
        metadata = {item.get("Name"): item.get("Value") for item in items if isinstance(item, Mapping)}
        amount = metadata.get("Amount")
        checkout_id = str(callback["CheckoutRequestID"])
        return WebhookEvent(
            event_id=f"{checkout_id}:{callback.get('ResultCode')}",
            type="stkCallback",
            provider_reference=checkout_id,
            status=_result(callback.get("ResultCode")),
            amount=money_from_major(amount, "KES", self.id) if amount is not None else None,
            needs_verification=True,
            raw=payload,
        )

    def _credentials(self) -> dict[str, str]:
        """Short code, timestamp and the password Daraja derives from them and the passkey."""
        timestamp = datetime.now(NAIROBI).strftime("%Y%m%d%H%M%S")
        secret = f"{self.shortcode}{self.setting('MPESA_PASSKEY')}{timestamp}".encode()
        return {
            "BusinessShortCode": self.shortcode,
            "Password": base64.b64encode(secret).decode(),
            "Timestamp": timestamp,
        }

    def _post(self, path: str, body: Mapping[str, Any], accept: tuple[int, ...] = ()) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._token()}"}
        reply = self.http.request("POST", path, json_body=body, headers=headers, accept=accept)
        if not isinstance(reply.body, Mapping):
            raise GatewayError(GatewayErrorKind.INVALID_RESPONSE, self.id, f"{path}: no JSON object")
        return dict(reply.body)

    def _token(self) -> str:
        key, secret = self.setting("MPESA_CONSUMER_KEY"), self.setting("MPESA_CONSUMER_SECRET")

        def fetch() -> tuple[str, int]:
            reply = self.http.request(
                "GET", "/oauth/v1/generate", params={"grant_type": "client_credentials"}, auth=(key, secret)
            )
            body = reply.body if isinstance(reply.body, Mapping) else {}
            if not body.get("access_token"):
                raise GatewayError(GatewayErrorKind.INVALID_RESPONSE, self.id, "token reply without a token")
            return str(body["access_token"]), int(body.get("expires_in") or 3599)

        return token_cache.get(f"{self.id}|{self.http.base_url}|{key}|{secret}", fetch)


def _whole_shillings(amount: Money) -> int:
    """STK push takes whole shillings; cents would be silently dropped by M-Pesa, so refuse."""
    major = amount.to_major()
    if major != major.to_integral_value() or major < 1:
        raise GatewayError(
            GatewayErrorKind.UNSUPPORTED, "mpesa", f"M-Pesa takes whole shillings, not {major}"
        )
    return int(major)


def _kenyan_msisdn(phone: str) -> str:
    """2547XXXXXXXX, as Daraja wants it, from +254…, 254… or a local 07…/01… number."""
    digits = msisdn(phone, "mpesa")
    return "254" + digits[1:] if digits.startswith("0") else digits


def _result(code: Any) -> PaymentState:
    code = str(code)
    if code == "0":
        return PaymentState.SUCCEEDED
    return PaymentState.CANCELLED if code in CANCELLED_RESULTS else PaymentState.FAILED
