"""leave-message forms, attachments and replies

Revision ID: 0008_leave_forms
Revises: 0007_ratings
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_leave_forms'
down_revision = '0007_ratings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leave_message') as batch_op:
        batch_op.add_column(sa.Column('replies', sa.JSON(), nullable=True))
    op.create_table('leave_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('skill_group_id', sa.Integer(), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('guide_zh', sa.Text(), nullable=False),
    sa.Column('guide_en', sa.Text(), nullable=False),
    sa.Column('privacy_zh', sa.Text(), nullable=False),
    sa.Column('privacy_en', sa.Text(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['skill_group_id'], ['skill_group.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'name', name='uq_leave_form_name')
    )
    op.create_index('ix_leave_form_company', 'leave_form', ['company_id', 'enabled'], unique=False)
    op.create_table('leave_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.Integer(), nullable=False),
    sa.Column('leave_message_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['leave_message_id'], ['leave_message.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visitor_id'], ['visitor.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_index('ix_leave_attachment_message', 'leave_attachment', ['leave_message_id'], unique=False)
    op.create_index('ix_leave_attachment_visitor', 'leave_attachment', ['visitor_id', 'created_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_leave_attachment_visitor', table_name='leave_attachment')
    op.drop_index('ix_leave_attachment_message', table_name='leave_attachment')
    op.drop_table('leave_attachment')
    op.drop_index('ix_leave_form_company', table_name='leave_form')
    op.drop_table('leave_form')
    with op.batch_alter_table('leave_message') as batch_op:
        batch_op.drop_column('replies')
