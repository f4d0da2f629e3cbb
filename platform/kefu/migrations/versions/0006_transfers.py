"""transfers, invitations, monitoring

Revision ID: 0006_transfers
Revises: 0005_presence
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_transfers'
down_revision = '0005_presence'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get an empty list; new rows get theirs from the model's default.
    with op.batch_alter_table('conversation') as batch:
        batch.add_column(sa.Column('participant_ids', sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))
    with op.batch_alter_table('conversation') as batch:
        batch.alter_column('participant_ids', server_default=None)
    op.create_table('conversation_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_participant_conversation', 'conversation_participant',
                    ['conversation_id', 'left_at'], unique=False)
    op.create_index('ix_participant_user', 'conversation_participant', ['user_id', 'left_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_participant_user', table_name='conversation_participant')
    op.drop_index('ix_participant_conversation', table_name='conversation_participant')
    op.drop_table('conversation_participant')
    with op.batch_alter_table('conversation') as batch:
        batch.drop_column('participant_ids')
