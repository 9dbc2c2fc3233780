"""The payments domain's background jobs (RQ): webhooks, receipts, refunds, reconciliation.

Each job is a thin, re-runnable wrapper over a service, so a retry after a crash is safe.
The services are imported inside the jobs because they enqueue these very jobs: importing
them here would make the two modules import each other.
"""

from __future__ import annotations

from app.auth.models import User
from app.core.mail import deliver_mail
from app.core.money import Money
from app.extensions import db
from app.payments.models import Payment


def drain_webhooks() -> int:
    from app.payments.services import webhook_service

    return webhook_service.drain()


def process_webhook(webhook_event_id: int) -> str:
    from app.payments.services import webhook_service

    return webhook_service.process(webhook_event_id)


def reconcile_pending_payments() -> int:
    from app.payments.services import reconciliation

    return reconciliation.reconcile_pending_payments()


def refund_cancelled_order(order_id: int) -> int:
    from app.payments.services import order_events

    return order_events.refund_cancelled_order(order_id)


def close_open_payments(order_id: int) -> int:
    from app.payments.services import order_events

    return order_events.close_open_payments(order_id)


def settle_cash_on_pickup(order_id: int) -> int:
    from app.payments.services import order_events

    return order_events.settle_cash_on_pickup(order_id)


def send_receipt(payment_id: int) -> None:
    """E-mail the customer a receipt for a succeeded payment."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        return
    paid = Money(payment.amount, payment.currency).format()
    when = (payment.completed_at or payment.updated_at).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(
        [
            f"Thank you: we received {paid} for order {payment.order.number}.",
            "",
            f"Payment reference: {payment.reference}",
            f"Paid with: {payment.gateway}",
            f"Date: {when}",
        ]
    )
    email = db.session.get(User, payment.user_id).email
    deliver_mail(email, f"Receipt for your Sokoni order {payment.order.number}", body)
