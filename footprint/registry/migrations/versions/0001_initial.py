"""The registry's first schema: organisations, products, applications and their steps, certificates, events.

Revision ID: 0001
Revises: (none)

Events are append-only: triggers refuse UPDATE and DELETE on ``events`` (and TRUNCATE on
PostgreSQL), so the history changes only by adding to it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_REFUSE = "events are append-only: the history of the registry is never updated or deleted"


def upgrade() -> None:
    op.create_table('chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_head'))
    )
    op.create_table('counters',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('events',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_events_hash'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    op.create_table('stored_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_files'))
    )
    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_persons_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_persons_organisation_id'))
    )
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manufacturer_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.ForeignKeyConstraint(['manufacturer_id'], ['organisations.id'], name=op.f('fk_products_manufacturer_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('manufacturer_id', 'code', name=op.f('uq_products_manufacturer_id'))
    )
    op.create_table('signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=80), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_signing_keys_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_signing_keys_fingerprint'))
    )
    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_sites_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_sites_organisation_id'))
    )
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('scheme', sa.String(length=40), nullable=False),
    sa.Column('scheme_sha256', sa.String(length=64), nullable=False),
    sa.Column('process', sa.Text(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('manufacturer_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('dossier_sha256', sa.String(length=64), nullable=False),
    sa.Column('result_sha256', sa.String(length=64), nullable=False),
    sa.Column('data_version', sa.String(length=40), nullable=False),
    sa.Column('library_version', sa.String(length=40), nullable=False),
    sa.Column('declared_value', sa.Float(), nullable=False),
    sa.Column('declared_text', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('last_on', sa.Date(), nullable=False),
    sa.Column('renews', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['organisations.id'], name=op.f('fk_applications_applicant_id_organisations')),
    sa.ForeignKeyConstraint(['body_id'], ['organisations.id'], name=op.f('fk_applications_body_id_organisations')),
    sa.ForeignKeyConstraint(['manufacturer_id'], ['organisations.id'], name=op.f('fk_applications_manufacturer_id_organisations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_applications_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('number', name=op.f('uq_applications_number'))
    )
    op.create_table('product_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_models_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_models')),
    sa.UniqueConstraint('product_id', 'name', name=op.f('uq_product_models_product_id'))
    )
    op.create_table('application_models',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_models_application_id_applications')),
    sa.ForeignKeyConstraint(['model_id'], ['product_models.id'], name=op.f('fk_application_models_model_id_product_models')),
    sa.PrimaryKeyConstraint('application_id', 'model_id', name=op.f('pk_application_models'))
    )
    op.create_table('application_sites',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_sites_application_id_applications')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_application_sites_site_id_sites')),
    sa.PrimaryKeyConstraint('application_id', 'site_id', name=op.f('pk_application_sites'))
    )
    op.create_table('audit_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('auditors', sa.Text(), nullable=False),
    sa.Column('sites', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_audit_plans_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_plans'))
    )
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=40), nullable=False),
    sa.Column('scheme_sha256', sa.String(length=64), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('models', sa.Text(), nullable=False),
    sa.Column('sites', sa.Text(), nullable=False),
    sa.Column('declared_value', sa.Float(), nullable=False),
    sa.Column('declared_text', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('surveillance_months', sa.Integer(), nullable=True),
    sa.Column('reevaluation_due', sa.Integer(), nullable=False),
    sa.Column('key_fingerprint', sa.String(length=80), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('renews_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_certificates_application_id_applications')),
    sa.ForeignKeyConstraint(['body_id'], ['organisations.id'], name=op.f('fk_certificates_body_id_organisations')),
    sa.ForeignKeyConstraint(['document_sha256'], ['stored_files.sha256'], name=op.f('fk_certificates_document_sha256_stored_files')),
    sa.ForeignKeyConstraint(['holder_id'], ['organisations.id'], name=op.f('fk_certificates_holder_id_organisations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_certificates_product_id_products')),
    sa.ForeignKeyConstraint(['renews_id'], ['certificates.id'], name=op.f('fk_certificates_renews_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('application_id', name=op.f('uq_certificates_application_id')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number'))
    )
    op.create_table('cfp_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('verifier_id', sa.Integer(), nullable=False),
    sa.Column('verified_on', sa.Date(), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('declared_sha256', sa.String(length=64), nullable=False),
    sa.Column('recomputed_sha256', sa.String(length=64), nullable=True),
    sa.Column('declared_total', sa.Float(), nullable=True),
    sa.Column('recomputed_total', sa.Float(), nullable=True),
    sa.Column('data_version', sa.String(length=40), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_cfp_verifications_application_id_applications')),
    sa.ForeignKeyConstraint(['verifier_id'], ['persons.id'], name=op.f('fk_cfp_verifications_verifier_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cfp_verifications'))
    )
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_decisions_application_id_applications')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['persons.id'], name=op.f('fk_decisions_decided_by_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    op.create_table('dossier_files',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_dossier_files_application_id_applications')),
    sa.ForeignKeyConstraint(['sha256'], ['stored_files.sha256'], name=op.f('fk_dossier_files_sha256_stored_files')),
    sa.PrimaryKeyConstraint('application_id', 'path', name=op.f('pk_dossier_files'))
    )
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('recommendation', sa.String(length=10), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_evaluations_application_id_applications')),
    sa.ForeignKeyConstraint(['evaluator_id'], ['persons.id'], name=op.f('fk_evaluations_evaluator_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    op.create_table('audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('auditor_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_audits_application_id_applications')),
    sa.ForeignKeyConstraint(['auditor_id'], ['persons.id'], name=op.f('fk_audits_auditor_id_persons')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_audits_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_audits_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audits'))
    )
    op.create_table('certificate_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('acted_on', sa.Date(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['persons.id'], name=op.f('fk_certificate_actions_by_id_persons')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_actions_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_actions'))
    )
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closure_sha256', sa.String(length=64), nullable=True),
    sa.Column('closure_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_findings_application_id_applications')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_findings_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['persons.id'], name=op.f('fk_findings_closed_by_id_persons')),
    sa.ForeignKeyConstraint(['closure_sha256'], ['stored_files.sha256'], name=op.f('fk_findings_closure_sha256_stored_files')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['persons.id'], name=op.f('fk_findings_raised_by_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings')),
    sa.UniqueConstraint('number', name=op.f('uq_findings_number'))
    )
    op.create_table('label_licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=80), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_label_licences_certificate_id_certificates')),
    sa.ForeignKeyConstraint(['document_sha256'], ['stored_files.sha256'], name=op.f('fk_label_licences_document_sha256_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_licences')),
    sa.UniqueConstraint('number', name=op.f('uq_label_licences_number'))
    )
    op.create_table('product_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('value_before', sa.Float(), nullable=False),
    sa.Column('value_after', sa.Float(), nullable=False),
    sa.Column('reevaluation', sa.Integer(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_product_changes_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_changes'))
    )
    op.create_table('surveillances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('auditor_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['auditor_id'], ['persons.id'], name=op.f('fk_surveillances_auditor_id_persons')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_surveillances_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveillances')),
    sa.UniqueConstraint('certificate_id', 'due_on', name=op.f('uq_surveillances_certificate_id'))
    )
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_evidence_audit_id_audits')),
    sa.ForeignKeyConstraint(['sha256'], ['stored_files.sha256'], name=op.f('fk_evidence_sha256_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    op.drop_table('evidence')
    op.drop_table('surveillances')
    op.drop_table('product_changes')
    op.drop_table('label_licences')
    op.drop_table('findings')
    op.drop_table('certificate_actions')
    op.drop_table('audits')
    op.drop_table('evaluations')
    op.drop_table('dossier_files')
    op.drop_table('decisions')
    op.drop_table('cfp_verifications')
    op.drop_table('certificates')
    op.drop_table('audit_plans')
    op.drop_table('application_sites')
    op.drop_table('application_models')
    op.drop_table('product_models')
    op.drop_table('applications')
    op.drop_table('sites')
    op.drop_table('signing_keys')
    op.drop_table('products')
    op.drop_table('persons')
    op.drop_table('stored_files')
    op.drop_table('organisations')
    op.drop_table('events')
    op.drop_table('counters')
    op.drop_table('chain_head')


def _create_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION footprint_events_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{_REFUSE}'; END; $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
                   "FOR EACH ROW EXECUTE FUNCTION footprint_events_append_only()")
        op.execute("CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION footprint_events_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                       f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END")


def _drop_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_no_truncate ON events")
        op.execute("DROP TRIGGER events_append_only ON events")
        op.execute("DROP FUNCTION footprint_events_append_only()")
    else:
        op.execute("DROP TRIGGER events_no_update")
        op.execute("DROP TRIGGER events_no_delete")
