"""company settings (queue, status, satisfaction switches)

Revision ID: 0003_settings
Revises: 0002_rules
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_settings'
down_revision = '0002_rules'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('company_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('queue_max_length', sa.Integer(), nullable=False),
    sa.Column('queue_max_wait_seconds', sa.Integer(), nullable=False),
    sa.Column('queue_full_text', sa.String(length=500), nullable=False),
    sa.Column('queue_timeout_text', sa.String(length=500), nullable=False),
    sa.Column('status_approval', sa.Boolean(), nullable=False),
    sa.Column('presence_grace_seconds', sa.Integer(), nullable=False),
    sa.Column('offline_chats', sa.String(length=16), nullable=False),
    sa.Column('agents_see_ratings', sa.Boolean(), nullable=False),
    sa.Column('rating_on_close', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id')
    )


def downgrade():
    op.drop_table('company_settings')
