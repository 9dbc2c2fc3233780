"""foreign key indexes: every referencing column leads an index

Loading an order's lines read every order line ever sold (no index on
order_items.order_id: a parallel sequential scan for each order e-mail and order page),
and each ON DELETE action scanned its referencing table. The indexes are built
CONCURRENTLY on PostgreSQL, outside a transaction, so a live shop keeps taking orders
while order_items is indexed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:02:52.900410

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

#: (table, column): each gets the index ``ix_<table>_<column>``.
FOREIGN_KEYS = (
    ('carts', 'coupon_id'),
    ('categories', 'parent_id'),
    ('coupon_categories', 'category_id'),
    ('coupon_products', 'product_id'),
    ('coupon_redemptions', 'user_id'),
    ('fraud_decisions', 'order_id'),
    ('order_events', 'actor_id'),
    ('order_items', 'order_id'),
    ('order_items', 'product_id'),
    ('payment_transactions', 'refund_id'),
    ('payment_transactions', 'webhook_event_id'),
    ('payments', 'fraud_decision_id'),
    ('promotion_categories', 'category_id'),
    ('promotion_products', 'product_id'),
    ('refunds', 'created_by_id'),
    ('reviews', 'hidden_by_id'),
    ('ticket_messages', 'author_id'),
    ('tickets', 'order_id'),
    ('tickets', 'payment_id'),
    ('wishlist_items', 'variant_id'),
)


def upgrade():
    with op.get_context().autocommit_block():
        for table, column in FOREIGN_KEYS:
            op.create_index(f'ix_{table}_{column}', table, [column], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        for table, column in reversed(FOREIGN_KEYS):
            op.drop_index(f'ix_{table}_{column}', table_name=table, postgresql_concurrently=True)
