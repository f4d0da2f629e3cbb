"""satisfaction schemes and ratings

Revision ID: 0007_ratings
Revises: 0006_transfers
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_ratings'
down_revision = '0006_transfers'
branch_labels = None
depends_on = None


def _old_rating(meta):
    """The rating table of 0001 without its unique conversation_id (SQLite cannot drop it by name)."""
    return sa.Table('rating', meta,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('solved', sa.Integer(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.Index('ix_rating_company_id', 'company_id'),
    )


def upgrade():
    op.create_table('rating_scheme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('skill_group_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('scale', sa.String(length=16), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('tags_required', sa.Boolean(), nullable=False),
    sa.Column('comment_mode', sa.String(length=16), nullable=False),
    sa.Column('ask_solved', sa.Boolean(), nullable=False),
    sa.Column('allow_repeat', sa.Boolean(), nullable=False),
    sa.Column('invite_text_zh', sa.String(length=500), nullable=False),
    sa.Column('invite_text_en', sa.String(length=500), nullable=False),
    sa.Column('thanks_text_zh', sa.String(length=500), nullable=False),
    sa.Column('thanks_text_en', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['skill_group_id'], ['skill_group.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rating_scheme', schema=None) as batch_op:
        batch_op.create_index('ix_rating_scheme_company_group', ['company_id', 'skill_group_id'],
                              unique=False)

    bind = op.get_bind()
    # Repeat ratings (多次评价) need the one-rating-per-conversation constraint gone.
    if bind.dialect.name == 'sqlite':
        batch = op.batch_alter_table('rating', recreate='always', copy_from=_old_rating(sa.MetaData()))
    else:
        for uc in sa.inspect(bind).get_unique_constraints('rating'):
            if uc['column_names'] == ['conversation_id'] and uc['name']:
                op.drop_constraint(uc['name'], 'rating', type_='unique')
        batch = op.batch_alter_table('rating', schema=None)
    with batch as batch_op:
        batch_op.drop_index('ix_rating_company_id')
        batch_op.add_column(sa.Column('agent_ids', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('skill_group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scheme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scale', sa.String(length=16), nullable=False,
                                      server_default='stars5'))
        batch_op.add_column(sa.Column('source', sa.String(length=16), nullable=False,
                                      server_default='visitor'))
        batch_op.add_column(sa.Column('client_id', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key('fk_rating_skill_group_id', 'skill_group', ['skill_group_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_rating_scheme_id', 'rating_scheme', ['scheme_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_unique_constraint('uq_rating_client_id', ['conversation_id', 'client_id'])
        batch_op.create_index('ix_rating_conversation', ['conversation_id', 'id'], unique=False)
        batch_op.create_index('ix_rating_agent_created', ['agent_id', 'created_at'], unique=False)
        batch_op.create_index('ix_rating_company_created', ['company_id', 'created_at'], unique=False)
    # The defaults only filled existing rows; the models set these on insert.
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.alter_column('agent_ids', server_default=None)
        batch_op.alter_column('scale', server_default=None)
        batch_op.alter_column('source', server_default=None)


def downgrade():
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_company_created')
        batch_op.drop_index('ix_rating_agent_created')
        batch_op.drop_index('ix_rating_conversation')
        batch_op.drop_constraint('uq_rating_client_id', type_='unique')
        batch_op.drop_constraint('fk_rating_scheme_id', type_='foreignkey')
        batch_op.drop_constraint('fk_rating_skill_group_id', type_='foreignkey')
        batch_op.drop_column('client_id')
        batch_op.drop_column('source')
        batch_op.drop_column('scale')
        batch_op.drop_column('scheme_id')
        batch_op.drop_column('skill_group_id')
        batch_op.drop_column('agent_ids')
        batch_op.create_index('ix_rating_company_id', ['company_id'], unique=False)
        # Repeats are kept only as the newest rating of each conversation.
    op.execute('DELETE FROM rating WHERE id NOT IN '
               '(SELECT MAX(id) FROM rating GROUP BY conversation_id)')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_unique_constraint('rating_conversation_id_key', ['conversation_id'])
    op.drop_table('rating_scheme')
