"""internal knowledge panel: favourites

Revision ID: 0022_knowledge_panel
Revises: 0021_knowledge_console
Create Date: 2026-11-25 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_knowledge_panel'
down_revision = '0021_knowledge_console'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('knowledge_favourite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(entry_id IS NULL) <> (article_id IS NULL)', name='ck_knowledge_favourite_one_item'),
    sa.ForeignKeyConstraint(['article_id'], ['knowledge_article.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['knowledge_entry.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'article_id', name='uq_knowledge_favourite_user_article'),
    sa.UniqueConstraint('user_id', 'entry_id', name='uq_knowledge_favourite_user_entry')
    )
    with op.batch_alter_table('knowledge_favourite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_favourite_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_favourite_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('ix_knowledge_favourite_user_created', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('knowledge_favourite', schema=None) as batch_op:
        batch_op.drop_index('ix_knowledge_favourite_user_created')
        batch_op.drop_index(batch_op.f('ix_knowledge_favourite_entry_id'))
        batch_op.drop_index(batch_op.f('ix_knowledge_favourite_article_id'))
    op.drop_table('knowledge_favourite')
