"""factory_boy factories for the models; each commits, as a service would."""

from __future__ import annotations

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.models import Profile, User
from app.auth.passwords import hash_password
from app.core.models import utcnow
from app.delivery.models import (
    Address,
    BusStation,
    BusStationFee,
    ShippingMethod,
    ShippingRate,
    ShippingZone,
)
from app.extensions import db
from app.orders.models import Order, OrderItem
from app.payments.models import Payment
from app.products.models import (
    Category,
    Collection,
    CollectionItem,
    Product,
    ProductVariant,
    Promotion,
    Tag,
    VariantPrice,
)
from app.products.slugs import slugify
from app.reviews.models import Review
from app.support.models import Faq, FaqCategory, Ticket, TicketMessage

DEFAULT_PASSWORD = "Correct-Horse-Battery-9"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the app's scoped session
        sqlalchemy_session_persistence = "commit"


class ProfileFactory(BaseFactory):
    class Meta:
        model = Profile

    full_name = factory.Faker("name")
    country = "NG"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password_hash = factory.LazyFunction(lambda: hash_password(DEFAULT_PASSWORD))
    role = "customer"
    is_active = True
    profile = factory.RelatedFactory(ProfileFactory, factory_related_name="user")


# ---- catalog --------------------------------------------------------------------------


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    parent = None

    @factory.post_generation
    def path(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        """The materialised path needs the id, known only once inserted."""
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.id}/"
        if create:
            db.session.commit()


class TagFactory(BaseFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ProductFactory(BaseFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = "A fine thing, made to last."
    brand = "Sokoni"
    is_active = True

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):  # noqa: N805
        if extracted:
            obj.tags = list(extracted)
            db.session.commit()


class VariantFactory(BaseFactory):
    """A variant (and its product): ``VariantFactory(prices={"NGN": 150000, "KES": 90000})``."""

    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    stock_on_hand = 10
    options = factory.LazyFunction(dict)

    @factory.post_generation
    def prices(obj, create, extracted, **kwargs):  # noqa: N805
        for currency, amount in (extracted if extracted is not None else {"NGN": 100_000}).items():
            obj.prices.append(VariantPrice(currency=currency, amount=amount))
        if create:
            db.session.commit()


class PromotionFactory(BaseFactory):
    """A running 10 % promotion; pass ``products=[…]`` or ``categories=[…]``."""

    class Meta:
        model = Promotion

    name = factory.Sequence(lambda n: f"Sale {n}")
    kind = "percentage"
    percent_off = 10
    amounts_off = factory.LazyFunction(dict)
    starts_at = factory.LazyFunction(lambda: utcnow() - timedelta(hours=1))
    ends_at = None

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):  # noqa: N805
        if extracted:
            obj.products = list(extracted)
            db.session.commit()

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):  # noqa: N805
        if extracted:
            obj.categories = list(extracted)
            db.session.commit()


class CollectionFactory(BaseFactory):
    class Meta:
        model = Collection

    name = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = "manual"

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):  # noqa: N805
        if extracted:
            obj.items = [CollectionItem(product=p, position=i) for i, p in enumerate(extracted)]
            db.session.commit()


# ---- delivery -------------------------------------------------------------------------


class AddressFactory(BaseFactory):
    class Meta:
        model = Address

    class Params:
        user = factory.SubFactory(UserFactory)

    user_id = factory.SelfAttribute("user.id")
    recipient_name = factory.Faker("name")
    phone = "+2348031234567"
    line1 = factory.Sequence(lambda n: f"{n} Adeola Odeku Street")
    city = "Lagos"
    region = "Lagos"
    country = "NG"
    landmark = "Opposite the Total filling station"
    is_default = False


class ShippingZoneFactory(BaseFactory):
    class Meta:
        model = ShippingZone

    name = factory.Sequence(lambda n: f"Zone {n}")
    countries = factory.LazyFunction(lambda: ["NG"])
    regions = factory.LazyFunction(list)
    cities = factory.LazyFunction(list)


class ShippingMethodFactory(BaseFactory):
    """A method; ``rates={"NGN": [(2000, 150000), (None, 500000)]}`` gives its weight bands."""

    class Meta:
        model = ShippingMethod

    zone = factory.SubFactory(ShippingZoneFactory)
    name = factory.Sequence(lambda n: f"Method {n}")
    carrier = "GIG Logistics"
    description = ""
    min_days = 2
    max_days = 4
    free_above = factory.LazyFunction(dict)
    is_active = True

    @factory.post_generation
    def rates(obj, create, extracted, **kwargs):  # noqa: N805
        if extracted:
            obj.rates = [
                ShippingRate(currency=currency, max_weight_grams=grams, amount=amount)
                for currency, bands in extracted.items()
                for grams, amount in bands
            ]
            db.session.commit()


class BusStationFactory(BaseFactory):
    """A station; ``fees={"NGN": 100000}`` gives its pickup fees."""

    class Meta:
        model = BusStation

    name = factory.Sequence(lambda n: f"Motor Park {n}")
    operator = "GUO Transport"
    city = "Lagos"
    region = "Lagos"
    country = "NG"
    address = "Ikorodu Road, Jibowu"
    opening_hours = "Mon-Sun 06:00-20:00"
    holding_days = 7
    is_active = True

    @factory.post_generation
    def fees(obj, create, extracted, **kwargs):  # noqa: N805
        if extracted:
            obj.fees = [BusStationFee(currency=c, amount=a) for c, a in extracted.items()]
            db.session.commit()


# ---- orders, reviews ------------------------------------------------------------------


class OrderFactory(BaseFactory):
    """An order in ``status`` holding one unit of each of ``products=[…]`` (no checkout run)."""

    class Meta:
        model = Order

    class Params:
        user = factory.SubFactory(UserFactory)

    user_id = factory.SelfAttribute("user.id")
    number = factory.Sequence(lambda n: f"SK-T{n:05d}")
    status = "delivered"
    currency = "NGN"
    subtotal = 0
    total = 0
    delivery_type = "address"
    country = "NG"

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):  # noqa: N805
        for product in extracted or []:
            obj.items.append(
                OrderItem(
                    product_id=product.id,
                    product_name=product.name,
                    product_slug=product.slug,
                    sku=f"SKU-P{product.id}",
                    quantity=1,
                    unit_price=0,
                    total=0,
                )
            )
        if create and extracted:
            db.session.commit()


class ReviewFactory(BaseFactory):
    """A review stored directly: the product's rating summary is not refreshed."""

    class Meta:
        model = Review

    class Params:
        user = factory.SubFactory(UserFactory)
        product = factory.SubFactory(ProductFactory)

    user_id = factory.SelfAttribute("user.id")
    product_id = factory.SelfAttribute("product.id")
    rating = 4
    title = factory.Sequence(lambda n: f"Review {n}")
    body = "Works as described; delivery to Ibadan took three days."


# ---- support --------------------------------------------------------------------------


class FaqCategoryFactory(BaseFactory):
    class Meta:
        model = FaqCategory

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    position = 0


class FaqFactory(BaseFactory):
    class Meta:
        model = Faq

    category = factory.SubFactory(FaqCategoryFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "Yes: pay on pickup at the bus station."
    position = 0
    is_published = True


class TicketFactory(BaseFactory):
    """An open ticket with its first customer message."""

    class Meta:
        model = Ticket

    class Params:
        user = factory.SubFactory(UserFactory)

    user_id = factory.SelfAttribute("user.id")
    subject = factory.Sequence(lambda n: f"Parcel {n} has not arrived")
    category = "delivery"
    priority = "normal"
    status = "open"

    @factory.post_generation
    def messages(obj, create, extracted, **kwargs):  # noqa: N805
        obj.messages.append(TicketMessage(author_id=obj.user_id, author_role="customer", body="Where is it?"))
        if create:
            db.session.commit()


# ---- payments -------------------------------------------------------------------------


class PaymentFactory(BaseFactory):
    """A payment stored directly (no gateway called) for ``order`` (default: a new unpaid one)."""

    class Meta:
        model = Payment

    class Params:
        order = factory.SubFactory(OrderFactory, status="pending_payment", subtotal=100_000, total=100_000)

    order_id = factory.SelfAttribute("order.id")
    user_id = factory.SelfAttribute("order.user_id")
    reference = factory.Sequence(lambda n: f"PAY-T{n:06d}")
    gateway = "sandbox"
    amount = factory.SelfAttribute("order.total")
    currency = factory.SelfAttribute("order.currency")
    status = "pending"
