"""service summaries and orders

Revision ID: 0012_summary
Revises: 0011_visitor_profile
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_summary'
down_revision = '0011_visitor_profile'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('summary_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['summary_category.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_summary_category_company_parent', 'summary_category', ['company_id', 'parent_id'],
                    unique=False)
    op.create_table('conversation_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('type_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('remark', sa.Text(), nullable=False),
    sa.Column('invalid', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', name='uq_summary_conversation')
    )
    op.create_index('ix_summary_company_created', 'conversation_summary', ['company_id', 'created_at'],
                    unique=False)
    op.create_table('conversation_star',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'user_id', name='uq_star_conversation_user')
    )
    op.create_index('ix_star_user_created', 'conversation_star', ['user_id', 'created_at'], unique=False)
    op.create_table('conversation_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'number', name='uq_order_conversation_number')
    )
    op.create_index('ix_order_agent_created', 'conversation_order', ['agent_id', 'created_at'], unique=False)
    op.create_index('ix_order_company_created', 'conversation_order', ['company_id', 'created_at'],
                    unique=False)
    with op.batch_alter_table('company_settings') as batch:
        batch.add_column(sa.Column('summary_required', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('company_settings') as batch:
        batch.drop_column('summary_required')
    op.drop_index('ix_order_company_created', table_name='conversation_order')
    op.drop_index('ix_order_agent_created', table_name='conversation_order')
    op.drop_table('conversation_order')
    op.drop_index('ix_star_user_created', table_name='conversation_star')
    op.drop_table('conversation_star')
    op.drop_index('ix_summary_company_created', table_name='conversation_summary')
    op.drop_table('conversation_summary')
    op.drop_index('ix_summary_category_company_parent', table_name='summary_category')
    op.drop_table('summary_category')
