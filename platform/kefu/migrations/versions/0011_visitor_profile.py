"""visitor profile and visit info

Revision ID: 0011_visitor_profile
Revises: 0010_quickreplies
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_visitor_profile'
down_revision = '0010_quickreplies'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visitor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remark', sa.String(length=1000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('visit_count', sa.Integer(), nullable=False, server_default='0'))
    op.create_table('visitor_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'key')
    )
    with op.batch_alter_table('visitor_field', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visitor_field_company_id'), ['company_id'], unique=False)
    op.create_table('visitor_page_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.Integer(), nullable=False),
    sa.Column('visit', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['visitor_id'], ['visitor.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visitor_page_view', schema=None) as batch_op:
        batch_op.create_index('ix_visitor_page_view_visitor', ['visitor_id', 'viewed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('visitor_page_view', schema=None) as batch_op:
        batch_op.drop_index('ix_visitor_page_view_visitor')
    op.drop_table('visitor_page_view')
    with op.batch_alter_table('visitor_field', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visitor_field_company_id'))
    op.drop_table('visitor_field')
    with op.batch_alter_table('visitor', schema=None) as batch_op:
        batch_op.drop_column('visit_count')
        batch_op.drop_column('remark')
