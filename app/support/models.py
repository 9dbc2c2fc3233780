"""Support models: FAQ, contact-form messages, tickets and their message threads."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment
from app.support.states import TicketCategory, TicketPriority, TicketStatus


def _known(column: str, values: type) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} in ({listed})", name=f"{column}_known")


class FaqCategory(TimestampMixin, db.Model):
    __tablename__ = "faq_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    faqs: Mapped[list[Faq]] = relationship(
        back_populates="category", order_by="(Faq.position, Faq.id)", passive_deletes="all"
    )


class Faq(TimestampMixin, db.Model):
    """A question and its answer; unpublished ones are drafts only staff see."""

    __tablename__ = "faqs"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("faq_categories.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    question: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    answer: Mapped[str] = mapped_column(sa.Text, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_published: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    category: Mapped[FaqCategory] = relationship(back_populates="faqs")


class ContactMessage(db.Model):
    """A message from the public contact form, kept even if its e-mail never arrives."""

    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    message: Mapped[str] = mapped_column(sa.Text, nullable=False)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)


class Ticket(TimestampMixin, db.Model):
    """A customer's support case, optionally about one of their orders or payments."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    category: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    priority: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=TicketPriority.NORMAL.value)
    status: Mapped[str] = mapped_column(sa.String(24), nullable=False, default=TicketStatus.OPEN.value)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    payment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("payments.id", ondelete="SET NULL"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[User] = relationship(foreign_keys=[user_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    order: Mapped[Order | None] = relationship()
    payment: Mapped[Payment | None] = relationship()
    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketMessage.id"
    )

    __table_args__ = (
        _known("status", TicketStatus),
        _known("category", TicketCategory),
        _known("priority", TicketPriority),
        sa.Index("ix_tickets_user_created", "user_id", "created_at"),
        sa.Index("ix_tickets_status_priority", "status", "priority"),
    )


class TicketMessage(db.Model):
    """One message of a ticket's thread; ``is_internal`` notes are for staff eyes only."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_role: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # customer | staff
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    is_internal: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("author_role in ('customer', 'staff')", name="author_role_known"),
        sa.CheckConstraint("author_role = 'staff' or not is_internal", name="internal_by_staff"),
    )
