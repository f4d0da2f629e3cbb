"""integration pages

Revision ID: 0013_integrations
Revises: 0012_summary
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_integrations'
down_revision = '0012_summary'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('integration_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('url_template', sa.String(length=2000), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('group_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_integration_page_company_id'), 'integration_page', ['company_id'],
                    unique=False)
    op.create_table('integration_secret',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('secret_encrypted', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id')
    )


def downgrade():
    op.drop_table('integration_secret')
    op.drop_index(op.f('ix_integration_page_company_id'), table_name='integration_page')
    op.drop_table('integration_page')
