"""Shared base data in a calculation and certified footprints in PACT, on a real PostgreSQL server.

The tests of tests/test_shared_data.py and tests/test_shareddb_certified.py collected again,
each in a database of its own (tests/test_registry_postgres.py: ``FOOTPRINT_TEST_POSTGRES``,
skipped without it except in CI).
"""

import pytest
from test_registry import material  # noqa: F401 (a fixture)
from test_registry_postgres import new_database, server_url
from test_shared_data import (  # noqa: F401
    test_a_grid_factor_of_a_new_year_replaces_the_stage_s_bundled_grid,
    test_a_label_reads_each_entry_once,
    test_a_material_factor_from_the_shared_database_replaces_the_bundled_one,
    test_an_electricity_factor_that_does_not_fit_the_stage_is_refused,
    test_an_unusable_material_entry_is_refused_with_the_reason,
    test_impact_lists_a_product_whose_material_factor_has_a_newer_version,
)
from test_shareddb_certified import (  # noqa: F401
    certified,
    test_a_certified_entry_that_is_not_the_certificate_s_is_not_submitted,
    test_a_certified_footprint_of_another_organisation_s_certificate_is_not_submitted,
    test_a_published_certified_footprint_is_an_active_pact_footprint,
    test_a_suspended_certificate_s_footprint_is_deprecated,
)
from test_shareddb_use import BODY, SUPPLIER

import footprint.shareddb as shared


@pytest.fixture
def registry(home_env):
    """A new PostgreSQL database with the roles of tests/test_shareddb_use.py."""
    url = new_database(server_url())
    shared.set_role(BODY, "certification_body", registry=url)
    shared.set_role(SUPPLIER, "supplier", registry=url)
    return url


@pytest.fixture
def cert_registry():
    return new_database(server_url())
