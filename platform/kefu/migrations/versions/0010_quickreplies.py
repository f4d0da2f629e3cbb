"""quick-reply libraries

Revision ID: 0010_quickreplies
Revises: 0009_blacklist
Create Date: 2026-11-25 21:00:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0010_quickreplies'
down_revision = '0009_blacklist'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quick_reply_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quick_reply_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quick_reply_group_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quick_reply_group_owner_id'), ['owner_id'], unique=False)
    with op.batch_alter_table('quick_reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_quick_reply_group_id', 'quick_reply_group', ['group_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_quick_reply_group_id'), ['group_id'], unique=False)
    # The old free-text category becomes a real group of the same library (company or agent).
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT DISTINCT company_id, owner_id, category FROM quick_reply WHERE category <> ''"
    )).all()
    groups = sa.table('quick_reply_group', sa.column('id', sa.Integer),
                      sa.column('company_id', sa.Integer), sa.column('owner_id', sa.Integer),
                      sa.column('name', sa.String), sa.column('sort_order', sa.Integer),
                      sa.column('created_at', sa.DateTime(timezone=True)))
    for company_id, owner_id, category in rows:
        name = category[:60]
        conn.execute(groups.insert().values(company_id=company_id, owner_id=owner_id, name=name,
                                            sort_order=0, created_at=datetime.now(UTC)))
        owner = "owner_id IS NULL" if owner_id is None else "owner_id = :owner"
        group_id = conn.execute(sa.text(
            f"SELECT max(id) FROM quick_reply_group WHERE company_id = :company AND {owner} AND name = :name"
        ), {"company": company_id, "owner": owner_id, "name": name}).scalar()
        conn.execute(sa.text(
            f"UPDATE quick_reply SET group_id = :group WHERE company_id = :company AND {owner} "
            "AND category = :category"
        ), {"group": group_id, "company": company_id, "owner": owner_id, "category": category})
    with op.batch_alter_table('quick_reply', schema=None) as batch_op:
        batch_op.drop_column('category')


def downgrade():
    with op.batch_alter_table('quick_reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=60), nullable=False, server_default=''))
    op.execute(
        "UPDATE quick_reply SET category = (SELECT g.name FROM quick_reply_group g "
        "WHERE g.id = quick_reply.group_id) WHERE group_id IS NOT NULL"
    )
    with op.batch_alter_table('quick_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quick_reply_group_id'))
        batch_op.drop_constraint('fk_quick_reply_group_id', type_='foreignkey')
        batch_op.drop_column('group_id')
    with op.batch_alter_table('quick_reply_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quick_reply_group_owner_id'))
        batch_op.drop_index(batch_op.f('ix_quick_reply_group_company_id'))
    op.drop_table('quick_reply_group')
