"""Flask extensions, created once here and bound to an app in ``create_app``.

Keeping them module-level lets services, models and CLI commands import them without
importing the application factory (and without circular imports).
"""

from flask_admin import Admin
from flask_caching import Cache
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from app.auth.token_cache import VerifiedTokenJWTManager
from app.core.api import Api

#: Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
jwt = VerifiedTokenJWTManager()
cache = Cache()
api = Api()
cors = CORS()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
admin = Admin(name="Sokoni console")
