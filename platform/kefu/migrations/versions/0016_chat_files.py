"""files and images in chats

Revision ID: 0016_chat_files
Revises: 0015_workbench_settings
Create Date: 2026-11-25 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_chat_files'
down_revision = '0015_workbench_settings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chat_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('uploader_kind', sa.String(length=16), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_index('ix_chat_file_conversation', 'chat_file', ['conversation_id', 'id'], unique=False)
    op.create_index('ix_chat_file_company_created', 'chat_file', ['company_id', 'created_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_chat_file_company_created', table_name='chat_file')
    op.drop_index('ix_chat_file_conversation', table_name='chat_file')
    op.drop_table('chat_file')
