"""agent statuses, busy reasons, approvals, presence

Revision ID: 0005_presence
Revises: 0004_queue
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_presence'
down_revision = '0004_queue'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('busy_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=50), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'name')
    )
    with op.batch_alter_table('busy_reason', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_busy_reason_company_id'), ['company_id'], unique=False)

    op.create_table('status_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('busy_reason_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=50), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['busy_reason_id'], ['busy_reason.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('status_request', schema=None) as batch_op:
        batch_op.create_index('ix_status_request_company_state', ['company_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_request_user_id'), ['user_id'], unique=False)

    op.create_table('agent_presence',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('offline_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('connected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disconnected_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    with op.batch_alter_table('agent_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_presence_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agent_presence_offline_due_at'), ['offline_due_at'],
                              unique=False)

    # Plain add_column (no batch): SQLite would otherwise rebuild "user", which others reference.
    op.add_column('user', sa.Column('busy_reason_id', sa.Integer(), nullable=True))
    op.add_column('agent_status_log', sa.Column('source', sa.String(length=16), nullable=False,
                                                server_default='self'))
    op.add_column('agent_status_log', sa.Column('actor_id', sa.Integer(), nullable=True))
    op.add_column('agent_status_log', sa.Column('busy_reason_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('agent_status_log', schema=None) as batch_op:
        batch_op.drop_column('busy_reason_id')
        batch_op.drop_column('actor_id')
        batch_op.drop_column('source')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('busy_reason_id')
    with op.batch_alter_table('agent_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_presence_offline_due_at'))
        batch_op.drop_index(batch_op.f('ix_agent_presence_company_id'))
    op.drop_table('agent_presence')
    with op.batch_alter_table('status_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_request_user_id'))
        batch_op.drop_index('ix_status_request_company_state')
    op.drop_table('status_request')
    with op.batch_alter_table('busy_reason', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_busy_reason_company_id'))
    op.drop_table('busy_reason')
