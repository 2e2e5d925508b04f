from dossiers.tests.conftest import office  # noqa: F401 - the commune fixture
from reporting.tests.april import april  # noqa: F401 - the April 2026 dossiers
from reporting.tests.march import march  # noqa: F401 - the March 2026 dossiers
