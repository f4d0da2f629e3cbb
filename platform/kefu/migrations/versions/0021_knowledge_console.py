"""knowledge console: article attachments

Revision ID: 0021_knowledge_console
Revises: 0020_robot
Create Date: 2026-11-25 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_knowledge_console'
down_revision = '0020_robot'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('knowledge_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_article.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('knowledge_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_attachment_article_id'), ['article_id'], unique=False)


def downgrade():
    with op.batch_alter_table('knowledge_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_attachment_article_id'))
    op.drop_table('knowledge_attachment')
