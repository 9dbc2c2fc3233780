"""Demo FAQ: the questions African shoppers ask first (idempotent, matched by slug and text)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import cache, db
from app.support.faqs import CACHE_KEY
from app.support.models import Faq, FaqCategory

DEMO_FAQ = (
    (
        "orders-delivery",
        "Orders and delivery",
        (
            (
                "How long does delivery take?",
                "Lagos, Nairobi, Accra and Kampala: 1-3 working days. Elsewhere: 3-7 working days. "
                "Each shipping method shows its own estimate at checkout.",
            ),
            (
                "Can I collect my order at a bus station?",
                "Yes. Choose a bus station at checkout; you receive a collection code by e-mail and "
                "show it at the counter. Parcels wait 7 days.",
            ),
            ("How do I track my order?", "Open Orders in your account: every status change is listed there."),
        ),
    ),
    (
        "payments",
        "Payments",
        (
            (
                "Which payment methods do you accept?",
                "Cards (Visa, Mastercard, Verve), bank transfer, M-Pesa, MTN MoMo and pay on pickup, "
                "depending on your country and currency.",
            ),
            (
                "My payment failed but I was debited. What now?",
                "Failed debits are usually reversed by your bank within 24 hours. If not, open a "
                "ticket about the payment and we will check it with the provider.",
            ),
        ),
    ),
    (
        "returns",
        "Returns and refunds",
        (
            (
                "Can I return an item?",
                "Within 7 days of delivery, unused and in its packaging. Open a ticket about the order.",
            ),
            (
                "When do I get my refund?",
                "Refunds go back to the way you paid: cards in 5-10 working days, mobile money "
                "within 24 hours.",
            ),
        ),
    ),
    (
        "account",
        "Your account",
        (
            (
                "I forgot my password.",
                'Use "Forgot password" on the login page; the link in the e-mail works once, for an hour.',
            ),
        ),
    ),
)


def seed_faqs() -> int:
    """Create the missing demo categories and questions; returns questions added."""
    added = 0
    for position, (slug, name, questions) in enumerate(DEMO_FAQ):
        category = db.session.scalar(sa.select(FaqCategory).where(FaqCategory.slug == slug))
        if category is None:
            category = FaqCategory(slug=slug, name=name, position=position)
            db.session.add(category)
        existing = {faq.question for faq in category.faqs}
        for order, (question, answer) in enumerate(questions):
            if question not in existing:
                category.faqs.append(Faq(question=question, answer=answer, position=order))
                added += 1
    db.session.commit()
    cache.delete(CACHE_KEY)
    return added
