"""Cart rules: one currency per cart, price snapshots, stock checks, coupons, guest merge.

A cart belongs to a user, or to a guest holding an unguessable token (``X-Cart-Token``)
of which only a SHA-256 digest is stored. Every function takes a ``CartOwner`` so the
same rules serve both.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.auth.signals import user_logged_in
from app.cart import coupons
from app.cart.models import Cart, CartItem, CartStatus, Coupon
from app.core.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from app.core.money import Money
from app.core.prepared_statements import prepared
from app.core.schemas import shown_options
from app.core.transactions import locked
from app.extensions import db
from app.products import inventory
from app.products.stock import stock_status


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a signed-in user, else a guest token (either may be absent)."""

    user: User | None = None
    token: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def _open_cart_statement(by_user: bool, lock: bool) -> sa.Select:
    """Built once per shape, the owner bound by name: building the select and its loader
    option, and having SQLAlchemy key it for its compiled cache, cost as much as running it."""
    query = sa.select(Cart).where(_open_cart_of(by_user)).options(joinedload(Cart.items))
    return prepared(locked(query, of=Cart) if lock else query)


def _open_cart_of(by_user: bool) -> sa.ColumnElement[bool]:
    """Which cart is the owner's open one, the owner bound by name (``_owned_by``'s keys)."""
    if by_user:
        owner = _CARTS.c.user_id == sa.bindparam("user_id")
    else:
        owner = sa.and_(_CARTS.c.token_hash == sa.bindparam("token_hash"), _CARTS.c.user_id.is_(None))
    # The status written into the statement, not bound: so even a prepared statement's one
    # generic plan finds the cart by the unique index on open carts (bound, it hashed every
    # cart line against all the user's past carts: 1.4 ms, against 0.05).
    open_status = sa.bindparam("open_status", CartStatus.OPEN.value, literal_execute=True)
    return sa.and_(_CARTS.c.status == open_status, owner)


def _owned_by(owner: CartOwner) -> dict[str, Any] | None:
    """The parameters the open-cart statements bind: the user, else the guest token's digest."""
    if owner.user is not None:
        return {"user_id": owner.user.id}
    if owner.token:
        return {"token_hash": hash_token(owner.token)}
    return None


def open_cart(owner: CartOwner, *, lock: bool = False) -> Cart | None:
    """The owner's open cart with its lines (joined: a cart is one row, a line one more).

    ``lock`` takes the cart row's lock until commit, in the same statement (checkout: the
    same cart checked out twice at once makes one order); the lines are not locked.
    """
    if (owned_by := _owned_by(owner)) is None:
        return None
    statement = _open_cart_statement(owner.user is not None, lock)
    return db.session.scalars(statement, owned_by).unique().first()


@dataclass(slots=True)
class CartLine:
    """A stored line of a cart read as plain columns (what ``cart_view`` reads of a ``CartItem``)."""

    id: int
    variant_id: int
    quantity: int
    unit_price: int


@dataclass(slots=True)
class OpenCart:
    """An open cart as adding to it reads and writes it: with Core statements, so that the
    busiest cart write builds, tracks and flushes no ORM objects (``id``: None until stored)."""

    id: int | None
    currency: str
    coupon: Coupon | None
    items: list[CartLine]


_CARTS, _CART_ITEMS = Cart.__table__, CartItem.__table__
# The timestamps are the columns' Python defaults, which Core applies as the ORM does.
_INSERT_CART = prepared(sa.insert(_CARTS).returning(_CARTS.c.id))
_INSERT_LINE = prepared(sa.insert(_CART_ITEMS).returning(_CART_ITEMS.c.id))
_UPDATE_LINE = prepared(sa.update(_CART_ITEMS).where(_CART_ITEMS.c.id == sa.bindparam("line_id")))


@functools.cache
def _open_cart_rows_statement(by_user: bool) -> sa.Select:
    """``_open_cart_statement`` on the tables: one row per line (one with no line for an
    empty cart), in line order."""
    return prepared(
        sa.select(
            _CARTS.c.id,
            _CARTS.c.currency,
            _CARTS.c.coupon_id,
            _CART_ITEMS.c.id.label("item_id"),
            _CART_ITEMS.c.variant_id,
            _CART_ITEMS.c.quantity,
            _CART_ITEMS.c.unit_price,
        )
        .select_from(_CARTS.outerjoin(_CART_ITEMS, _CART_ITEMS.c.cart_id == _CARTS.c.id))
        .where(_open_cart_of(by_user))
        .order_by(_CART_ITEMS.c.id)
    )


def read_open_cart(owner: CartOwner) -> OpenCart | None:
    """The owner's open cart with its lines, as ``open_cart`` finds it, as plain rows."""
    if (owned_by := _owned_by(owner)) is None:
        return None
    rows = db.session.execute(_open_cart_rows_statement(owner.user is not None), owned_by).all()
    if not rows:
        return None
    first = rows[0]
    # The coupon is read only when there is one, as the relationship's lazy load would.
    coupon = db.session.get(Coupon, first.coupon_id) if first.coupon_id is not None else None
    lines = [
        CartLine(r.item_id, r.variant_id, r.quantity, r.unit_price) for r in rows if r.item_id is not None
    ]
    return OpenCart(first.id, first.currency, coupon, lines)


def _default_currency(owner: CartOwner, requested: str | None) -> str:
    profile = owner.user.profile if owner.user is not None else None
    return requested or (profile and profile.preferred_currency) or current_app.config["DEFAULT_CURRENCY"]


def _get_or_create_cart(owner: CartOwner, currency: str | None) -> tuple[OpenCart, str | None]:
    """The owner's open cart, or a new one not yet stored (``_add_item`` stores it with
    its first line); returns a new guest token if one was issued."""
    cart = read_open_cart(owner)
    if cart is not None:
        if currency and currency != cart.currency:
            raise ValidationError(
                f"This cart is in {cart.currency}; empty it to shop in {currency}.",
                code=ErrorCode.CURRENCY_MISMATCH,
            )
        return cart, None
    cart = OpenCart(None, _default_currency(owner, currency), None, [])
    return cart, None if owner.user is not None else secrets.token_urlsafe(32)


def _insert_cart(cart: OpenCart, owner: CartOwner, new_token: str | None) -> int:
    """Store a new open cart for the user, else for the guest's new token; its id."""
    owned_by = {"user_id": owner.user.id} if owner.user is not None else {"token_hash": hash_token(new_token)}
    values = {**owned_by, "currency": cart.currency, "status": CartStatus.OPEN.value}
    return db.session.execute(_INSERT_CART, values).scalar_one()


def _store_line(
    cart: OpenCart, line: CartLine | None, variant_id: int, quantity: int, unit_price: int
) -> None:
    """Write the line of ``variant_id`` (a new one, else ``line``) with its new quantity and
    price, and keep ``cart.items`` as stored. The unique (cart, variant) constraint makes a
    concurrent request's same new line an ``IntegrityError``, retried by ``add_item``."""
    if line is None:
        values = {
            "cart_id": cart.id,
            "variant_id": variant_id,
            "quantity": quantity,
            "unit_price": unit_price,
        }
        cart.items.append(
            CartLine(db.session.execute(_INSERT_LINE, values).scalar_one(), variant_id, quantity, unit_price)
        )
        return
    db.session.execute(_UPDATE_LINE, {"line_id": line.id, "quantity": quantity, "unit_price": unit_price})
    line.quantity, line.unit_price = quantity, unit_price


def _require_cart(owner: CartOwner) -> Cart:
    cart = open_cart(owner)
    if cart is None:
        raise NotFoundError("There is no cart yet; add an item first.")
    return cart


def _find_item(cart: Cart, item_id: int) -> CartItem:
    item = next((item for item in cart.items if item.id == item_id), None)
    if item is None:  # also another owner's item: never revealed
        raise NotFoundError("No such item in your cart.")
    return item


def _check_quantity(quantity: int, variant_offer: inventory.CartOffer) -> None:
    limit = current_app.config["CART_MAX_QUANTITY"]
    if quantity > limit:
        raise ValidationError(
            f"At most {limit} of one item per order.", details={"quantity": [f"Must be at most {limit}."]}
        )
    available = variant_offer.stock_on_hand
    if quantity > available:
        raise ConflictError(
            f"Only {available} left in stock.",
            code=ErrorCode.INSUFFICIENT_STOCK,
            details={"variant_id": variant_offer.variant_id, "available": available},
        )


def _offers(cart: Cart | OpenCart, *variant_ids: int) -> dict[int, inventory.CartOffer]:
    """Today's offers for the cart's lines and ``variant_ids``, with what its view shows,
    in one query (a missing variant is left out)."""
    ids = {item.variant_id for item in cart.items} | set(variant_ids)
    return inventory.cart_offers(ids, cart.currency)


def _sellable(offers: dict[int, inventory.CartOffer], variant_id: int, currency: str) -> inventory.CartOffer:
    """The variant's offer if it may go in the cart: a 404 if missing or withdrawn, a 422
    if not sold in the cart's currency."""
    offer = offers.get(variant_id)
    if offer is None or not offer.is_active:
        raise NotFoundError("No such product variant.")
    if offer.offer is None:
        raise ValidationError(
            f"This item is not sold in {currency}.",
            code=ErrorCode.CURRENCY_MISMATCH,
            details={"variant_id": [f"No {currency} price."]},
        )
    return offer


def add_item(
    owner: CartOwner, variant_id: int, quantity: int, currency: str | None = None
) -> tuple[dict[str, Any], str | None]:
    """Add (or add more of) a variant; returns the cart and a guest token if one was issued."""
    try:
        return _add_item(owner, variant_id, quantity, currency)
    except IntegrityError:  # the same user's other request created the cart first: add to it
        db.session.rollback()
        return _add_item(owner, variant_id, quantity, currency)


def _add_item(
    owner: CartOwner, variant_id: int, quantity: int, currency: str | None
) -> tuple[dict[str, Any], str | None]:
    cart, new_token = _get_or_create_cart(owner, currency)
    offers = _offers(cart, variant_id)
    offer = _sellable(offers, variant_id, cart.currency)
    line = next((line for line in cart.items if line.variant_id == variant_id), None)
    wanted = (line.quantity if line else 0) + quantity
    _check_quantity(wanted, offer)
    if cart.id is None:  # a new cart is stored only now, with its first line
        cart.id = _insert_cart(cart, owner, new_token)
    _store_line(cart, line, variant_id, wanted, offer.offer.amount)
    view = cart_view(cart, owner, offers)
    db.session.commit()
    return view, new_token


def update_item(owner: CartOwner, item_id: int, quantity: int) -> dict[str, Any]:
    cart = _require_cart(owner)
    item = _find_item(cart, item_id)
    offers = _offers(cart)
    offer = _sellable(offers, item.variant_id, cart.currency)
    _check_quantity(quantity, offer)
    item.quantity = quantity
    item.unit_price = offer.offer.amount
    return _commit_and_view(cart, owner, offers)


def remove_item(owner: CartOwner, item_id: int) -> dict[str, Any]:
    cart = _require_cart(owner)
    cart.items.remove(_find_item(cart, item_id))
    return _commit_and_view(cart, owner)


def clear_cart(owner: CartOwner) -> None:
    cart = open_cart(owner)
    if cart is not None:
        cart.items.clear()
        cart.coupon_id = None
        db.session.commit()


def apply_coupon(owner: CartOwner, code: str) -> dict[str, Any]:
    cart = _require_cart(owner)
    coupon = coupons.find_coupon(code)
    offers = _offers(cart)
    lines, _ = cart_lines(cart, offers)
    coupons.check_coupon(coupon, lines, cart.currency, owner.user.id if owner.user else None)
    cart.coupon = coupon
    return _commit_and_view(cart, owner, offers)


def remove_coupon(owner: CartOwner) -> dict[str, Any]:
    cart = _require_cart(owner)
    cart.coupon = None
    return _commit_and_view(cart, owner)


def get_cart(owner: CartOwner, currency: str | None = None) -> dict[str, Any]:
    """The open cart, or an empty one (not stored) in the currency it would have."""
    cart = open_cart(owner)
    if cart is None:
        return empty_view(_default_currency(owner, currency))
    return cart_view(cart, owner)


def merge_guest_cart(user: User, token: str | None) -> None:
    """At login, fold the guest's cart into the user's (quantities added, capped at stock)."""
    if not token:
        return
    guest = open_cart(CartOwner(token=token))
    if guest is None:
        return
    mine = open_cart(CartOwner(user=user))
    if mine is None:
        guest.user_id, guest.token_hash = user.id, None
        db.session.commit()
        return
    offers = inventory.cart_offers((i.variant_id for i in guest.items), mine.currency)
    limit = current_app.config["CART_MAX_QUANTITY"]
    for guest_item in guest.items:
        offer = offers[guest_item.variant_id]
        if not offer.buyable:
            continue  # not sold in the user's cart currency, or withdrawn meanwhile
        item = next((i for i in mine.items if i.variant_id == guest_item.variant_id), None)
        wanted = (item.quantity if item else 0) + guest_item.quantity
        quantity = min(wanted, offer.stock_on_hand, limit)
        if quantity <= 0:
            continue
        if item is None:
            mine.items.append(
                CartItem(variant_id=guest_item.variant_id, quantity=quantity, unit_price=offer.offer.amount)
            )
        else:
            item.quantity = quantity
    guest.status = CartStatus.MERGED.value
    db.session.commit()


@user_logged_in.connect
def _merge_on_login(_sender: Any, user: User, cart_token: str | None = None, **_extra: Any) -> None:
    merge_guest_cart(user, cart_token)


# ---- views ------------------------------------------------------------------------------


def _commit_and_view(
    cart: Cart, owner: CartOwner, offers: dict[int, inventory.CartOffer] | None = None
) -> dict[str, Any]:
    """Commit a change to the cart and render it from what is loaded.

    Rendered after the flush (new lines have their ids) and before the commit, which
    would expire the cart and its lines and make the view read them again; ``offers``
    already loaded for the change are reused.
    """
    db.session.flush()
    view = cart_view(cart, owner, offers)
    db.session.commit()
    return view


Offers = dict[int, inventory.CartOffer]


def cart_lines(cart: Cart | OpenCart, offers: Offers) -> tuple[list[coupons.Line], Offers]:
    """The cart's lines at their saved prices, as coupons and checkout count them."""
    lines = []
    for item in cart.items:
        offer = offers[item.variant_id]
        lines.append(coupons.Line(offer.product_id, offer.category_path, item.quantity, item.unit_price))
    return lines, offers


def money(amount: int, currency: str) -> dict[str, Any]:
    return Money(amount, currency).to_dict()


def empty_view(currency: str) -> dict[str, Any]:
    zero = money(0, currency)
    return {
        "id": None,
        "currency": currency,
        "items": [],
        "item_count": 0,
        "coupon": None,
        "subtotal": zero,
        "discount": zero,
        "total": zero,
        "price_changed": False,
    }


def _discount(cart: Cart | OpenCart, lines: list[coupons.Line], owner: CartOwner) -> tuple[int, str | None]:
    """The coupon's discount now, or 0 with the reason it no longer applies."""
    if cart.coupon is None:
        return 0, None
    try:
        return coupons.check_coupon(
            cart.coupon, lines, cart.currency, owner.user.id if owner.user else None
        ), None
    except (ValidationError, ConflictError) as exc:
        return 0, exc.message


def cart_view(
    cart: Cart | OpenCart, owner: CartOwner, offers: dict[int, inventory.CartOffer] | None = None
) -> dict[str, Any]:
    """What the client shows: lines with their saved and current prices, and the totals
    (``offers``: today's offers for at least the cart's lines, if already loaded).

    Exactly what ``CartSchema`` dumps it to (field for field, type for type): the add
    sends it as it is.
    """
    lines, offers = cart_lines(cart, offers if offers is not None else _offers(cart))
    threshold = current_app.config["CATALOG_LOW_STOCK_THRESHOLD"]
    items = []
    for item in cart.items:
        offer = offers[item.variant_id]
        current = offer.offer.amount if offer.buyable else None
        items.append(
            {
                "id": item.id,
                "variant_id": offer.variant_id,
                "sku": offer.sku,
                "options": shown_options(offer.options),
                "product": {
                    "id": offer.product_id,
                    "slug": offer.product_slug,
                    "name": offer.product_name,
                    "image": offer.image,
                },
                "quantity": item.quantity,
                "unit_price": money(item.unit_price, cart.currency),
                "current_price": None if current is None else money(current, cart.currency),
                "price_changed": current != item.unit_price,
                "line_total": money(item.quantity * item.unit_price, cart.currency),
                "stock_status": stock_status(offer.stock_on_hand, threshold).value
                if offer.buyable
                else "unavailable",
            }
        )
    subtotal = sum(line.total for line in lines)
    discount, coupon_problem = _discount(cart, lines, owner)
    return {
        "id": cart.id,
        "currency": cart.currency,
        "items": items,
        "item_count": sum(item.quantity for item in cart.items),
        "coupon": cart.coupon
        and {"code": cart.coupon.code, "description": cart.coupon.description, "problem": coupon_problem},
        "subtotal": money(subtotal, cart.currency),
        "discount": money(discount, cart.currency),
        "total": money(subtotal - discount, cart.currency),
        "price_changed": any(item["price_changed"] for item in items),
    }
