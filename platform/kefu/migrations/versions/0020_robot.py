"""robots, their answers and feedback

Revision ID: 0020_robot
Revises: 0019_knowledge
Create Date: 2026-11-25 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020_robot'
down_revision = '0019_knowledge'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('robot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=False),
    sa.Column('avatar_url', sa.String(length=500), nullable=False),
    sa.Column('greeting', sa.Text(), nullable=False),
    sa.Column('greeting_en', sa.Text(), nullable=False),
    sa.Column('unknown_text', sa.Text(), nullable=False),
    sa.Column('unknown_text_en', sa.Text(), nullable=False),
    sa.Column('suggest_intro', sa.String(length=200), nullable=False),
    sa.Column('suggest_intro_en', sa.String(length=200), nullable=False),
    sa.Column('confident_score', sa.Float(), nullable=False),
    sa.Column('suggest_score', sa.Float(), nullable=False),
    sa.Column('show_transfer_button', sa.Boolean(), nullable=False),
    sa.Column('transfer_keywords', sa.JSON(), nullable=False),
    sa.Column('transfer_after_unknown', sa.Integer(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_robot_company', 'robot', ['company_id', 'enabled'], unique=False)
    op.create_table('robot_session',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('robot_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('unknown_streak', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('transferred_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['robot_id'], ['robot.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('conversation_id')
    )
    op.create_table('robot_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('robot_id', sa.Integer(), nullable=True),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('suggested_ids', sa.JSON(), nullable=False),
    sa.Column('feedback', sa.String(length=16), nullable=True),
    sa.Column('feedback_reason', sa.String(length=200), nullable=False),
    sa.Column('feedback_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['knowledge_entry.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['robot_id'], ['robot.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['visitor_id'], ['visitor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_robot_answer_company_created', 'robot_answer',
                    ['company_id', 'created_at'], unique=False)
    op.create_index('ix_robot_answer_robot_created', 'robot_answer',
                    ['robot_id', 'created_at'], unique=False)
    op.create_index('ix_robot_answer_conversation', 'robot_answer',
                    ['conversation_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_robot_answer_conversation', table_name='robot_answer')
    op.drop_index('ix_robot_answer_robot_created', table_name='robot_answer')
    op.drop_index('ix_robot_answer_company_created', table_name='robot_answer')
    op.drop_table('robot_answer')
    op.drop_table('robot_session')
    op.drop_index('ix_robot_company', table_name='robot')
    op.drop_table('robot')
