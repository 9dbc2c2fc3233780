"""The payments domain's errors, each mapped to the API envelope by ``app.core.errors``."""

from __future__ import annotations

from http import HTTPStatus

from app.core.errors import AppError, ConflictError, ErrorCode, ValidationError


class PaymentBlocked(AppError):
    """The fraud check refused the payment; the reasons stay in the stored decision."""

    status = HTTPStatus.FORBIDDEN
    code = ErrorCode.PAYMENT_BLOCKED
    message = "This payment cannot be accepted; contact support if you think this is a mistake."


class InvalidSignature(AppError):
    status = HTTPStatus.UNAUTHORIZED
    code = ErrorCode.INVALID_SIGNATURE
    message = "The webhook signature is missing or invalid."


class OrderNotPayable(ConflictError):
    code = ErrorCode.ORDER_NOT_PAYABLE
    message = "This order is not awaiting payment."


class RefundTooLarge(ValidationError):
    code = ErrorCode.REFUND_EXCEEDS_CAPTURED
    message = "A refund cannot exceed what was captured minus what is already refunded."


class NotRefundable(ConflictError):
    code = ErrorCode.PAYMENT_NOT_REFUNDABLE
    message = "Only a captured payment can be refunded."
