"""No two modules of the project import each other, directly or round a longer circle,
counting imports inside functions (a lazy import hides a circle, it does not break it).
Imports under `if TYPE_CHECKING:` are left out: they never run."""

from pathlib import Path

from tests.import_graph import ImportGraph

ROOT = Path(__file__).resolve().parent.parent


def test_the_project_has_no_import_cycle() -> None:
    graph = ImportGraph.of_project(ROOT)

    assert graph.cycles() == []


def test_the_graph_sees_a_circle_hidden_in_a_function(tmp_path: Path) -> None:
    package = tmp_path / "app"
    (package / "services").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "apps.py").write_text("")
    (package / "services" / "__init__.py").write_text("")
    (package / "services" / "mail.py").write_text(
        "def send():\n    from app.tasks import deliver\n    deliver()\n"
    )
    (package / "tasks.py").write_text("from .services import mail\n")
    (package / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app import tasks\n"
    )

    graph = ImportGraph.of_project(tmp_path)

    assert graph.cycles() == [["app.services.mail", "app.tasks"]]
    assert set(graph.imports["app.typed"]) == set()


def test_an_import_of_a_name_from_a_package_is_an_import_of_the_package(
    tmp_path: Path,
) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("from app.b import VALUE\n")
    (package / "apps.py").write_text("")
    (package / "b.py").write_text("import app.c\nVALUE = 1\n")
    (package / "c.py").write_text("from app import b\n")

    graph = ImportGraph.of_project(tmp_path)

    assert graph.imports["app"] == {"app.b"}
    assert graph.imports["app.c"] == {"app.b"}
    assert graph.cycles() == [["app.b", "app.c"]]
