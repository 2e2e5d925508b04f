from dossiers.tests.conftest import office  # noqa: F401 - the commune fixture
