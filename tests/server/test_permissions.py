"""The role matrix as a table (API-level cells are covered in tests/e2e/test_permissions.py)."""

import pytest

from server.services.permissions import ROLE_PERMISSIONS, Permission, ProjectRole

ADMIN, EDITOR, OPERATOR, VIEWER = (
    ProjectRole.ADMIN,
    ProjectRole.EDITOR,
    ProjectRole.OPERATOR,
    ProjectRole.VIEWER,
)

#: Activepieces' admin-guide/guides/permissions, row by row.
MATRIX = {
    Permission.READ_FLOW: {ADMIN, EDITOR, OPERATOR, VIEWER},
    Permission.WRITE_FLOW: {ADMIN, EDITOR},
    Permission.UPDATE_FLOW_STATUS: {ADMIN, EDITOR, OPERATOR},
    Permission.READ_RUN: {ADMIN, EDITOR, OPERATOR, VIEWER},
    Permission.WRITE_RUN: {ADMIN, EDITOR, OPERATOR},
    Permission.READ_APP_CONNECTION: {ADMIN, EDITOR, OPERATOR, VIEWER},
    Permission.WRITE_APP_CONNECTION: {ADMIN, EDITOR, OPERATOR},
    Permission.READ_PROJECT_MEMBER: {ADMIN, EDITOR, OPERATOR, VIEWER},
    Permission.WRITE_PROJECT_MEMBER: {ADMIN},
    Permission.WRITE_GIT_REPO: {ADMIN},
}


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", list(ProjectRole))
def test_role_has_exactly_the_permissions_of_the_matrix(
    role: ProjectRole, permission: Permission
) -> None:
    assert (permission in ROLE_PERMISSIONS[role]) == (role in MATRIX[permission])
