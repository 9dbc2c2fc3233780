"""factory_boy factories for the models; each commits, as a service would."""

from __future__ import annotations

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.models import Profile, User
from app.auth.passwords import hash_password
from app.core.models import utcnow
from app.extensions import db
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
