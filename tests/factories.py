"""factory_boy factories for the models; each commits, as a service would."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.models import Profile, User
from app.auth.passwords import hash_password
from app.extensions import db

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
