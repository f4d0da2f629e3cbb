"""workbench settings: notification defaults and chat file limits

Revision ID: 0015_workbench_settings
Revises: 0014_chat_pane
Create Date: 2026-11-25 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_workbench_settings'
down_revision = '0014_chat_pane'
branch_labels = None
depends_on = None

DEFAULT_FILE_TYPES = ",".join((
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
))


def upgrade():
    with op.batch_alter_table('company_settings') as batch:
        batch.add_column(sa.Column('notify_sound', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('notify_desktop', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('notify_on_message', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column('file_max_mb', sa.Integer(), nullable=False, server_default='10'))
        batch.add_column(sa.Column('file_types', sa.String(length=1000), nullable=False,
                                   server_default=DEFAULT_FILE_TYPES))
        batch.add_column(sa.Column('visitor_files', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('company_settings') as batch:
        for name in ('visitor_files', 'file_types', 'file_max_mb', 'notify_on_message', 'notify_desktop',
                     'notify_sound'):
            batch.drop_column(name)
