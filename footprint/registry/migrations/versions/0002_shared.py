"""The shared database: entries and their versions, sharing, the server's members and API tokens, PACT events.

Revision ID: 0002
Revises: 0001

Tables of :mod:`footprint.shareddb.models` (which keeps its own metadata: the registry's
schema test compares the registry's tables, tests/test_shareddb.py these).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shared_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('pf_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=80), nullable=False),
    sa.Column('dataset', sa.String(length=120), nullable=True),
    sa.Column('geography', sa.String(length=40), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('quality', sa.String(length=40), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('checks', sa.Text(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('superseded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['organisations.id'], name=op.f('fk_shared_entries_owner_id_organisations')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['organisations.id'], name=op.f('fk_shared_entries_reviewer_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_entries')),
    sa.UniqueConstraint('entry_id', 'version', name=op.f('uq_shared_entries_entry_id')),
    sa.UniqueConstraint('pf_id', name=op.f('uq_shared_entries_pf_id'))
    )
    op.create_index(op.f('ix_shared_entries_entry_id'), 'shared_entries', ['entry_id'], unique=False)
    op.create_table('shared_access',
    sa.Column('entry_id', sa.String(length=80), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_shared_access_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('entry_id', 'organisation_id', name=op.f('pk_shared_access'))
    )
    op.create_table('members',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_members_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_members'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('expires_at', sa.String(length=40), nullable=False),
    sa.Column('revoked', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_api_tokens_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_api_tokens_token_sha256'))
    )
    op.create_table('pact_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pact_events_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_events'))
    )


def downgrade() -> None:
    op.drop_table('pact_events')
    op.drop_table('api_tokens')
    op.drop_table('members')
    op.drop_table('shared_access')
    op.drop_index(op.f('ix_shared_entries_entry_id'), table_name='shared_entries')
    op.drop_table('shared_entries')
