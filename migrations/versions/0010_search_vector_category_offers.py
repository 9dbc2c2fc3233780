"""catalog lists: a stored search vector (PostgreSQL) and a category index on offers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# As in app.products.models (SEARCH_VECTOR_DDL), written out: a migration is a record.
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, name), 'A') || "
    "setweight(to_tsvector('english'::regconfig, description), 'B')"
)


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    with op.batch_alter_table('product_offers', schema=None) as batch_op:
        batch_op.create_index(
            'ix_product_offers_currency_category', ['currency', 'category_key', 'price', 'product_id'], unique=False
        )
    if _is_postgresql():
        op.drop_index('ix_products_search', table_name='products', postgresql_using='gin')
        op.execute(
            f"ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({SEARCH_DOCUMENT}) STORED"
        )
        op.execute("CREATE INDEX ix_products_search ON products USING gin (search_vector)")


def downgrade():
    if _is_postgresql():
        op.drop_index('ix_products_search', table_name='products', postgresql_using='gin')
        op.drop_column('products', 'search_vector')
        op.create_index(
            'ix_products_search', 'products', [sa.text(f"({SEARCH_DOCUMENT})")], unique=False, postgresql_using='gin'
        )
    with op.batch_alter_table('product_offers', schema=None) as batch_op:
        batch_op.drop_index('ix_product_offers_currency_category')
