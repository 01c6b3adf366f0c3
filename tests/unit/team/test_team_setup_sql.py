"""The setup SQL (``cxdaily team init``) and the numbered migrations it carries."""

from __future__ import annotations

import pytest

from cxdaily.core.errors import ConfigError
from cxdaily.team.migrate import latest_version, migrations
from cxdaily.team.setup_sql import init_sql, roles_sql


def test_migrations_are_numbered_from_one_without_gaps():
    assert [m.version for m in migrations()] == list(range(1, latest_version() + 1))
    assert latest_version() >= 2


def test_the_setup_creates_roles_grants_security_and_policies_on_current_user():
    sql = init_sql(["anna", "vp_product"])
    assert "CREATE ROLE anna LOGIN" in sql and "GRANT cxdaily_leader TO vp_product" in sql
    for table in ("claims", "sent", "insights", "handoffs", "members"):
        assert f"ALTER TABLE cxdaily.{table} ENABLE ROW LEVEL SECURITY" in sql
        assert f"ALTER TABLE cxdaily.{table} FORCE ROW LEVEL SECURITY" in sql
    assert "WITH CHECK (leader_role = current_user)" in sql
    assert sql.count("INSERT INTO cxdaily.schema_migrations") == latest_version()
    assert " PASSWORD '" not in sql.upper()  # no password is set (nor printed)
    assert "\\password anna" in sql


def test_the_migrate_grant_can_be_left_out():
    assert "GRANT cxdaily_owner TO anna" in roles_sql(["anna"])
    assert "GRANT cxdaily_owner TO anna" not in roles_sql(["anna"], may_migrate=False)


@pytest.mark.parametrize("role", ["Anna", "anna; DROP TABLE x", "1anna", "", "a" * 64])
def test_a_role_name_that_would_need_quoting_is_refused(role):
    with pytest.raises(ConfigError, match="is not a role name"):
        roles_sql([role])
