"""The import graph of the project's apps, read from the source with `ast`.

A module imports the most specific project module an import statement names, as grimp
counts it: `from dossiers.services import alerts` imports `dossiers.services.alerts`,
`from dossiers.models import Dossier` imports `dossiers.models`. Imports inside
functions count; those under `if TYPE_CHECKING:` do not (they never run). Test modules
and migrations are left out.

`python -m tests.import_graph` prints the circles, if any."""

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

SKIPPED_PARTS = {"tests", "migrations"}


@dataclass
class ImportGraph:
    files: dict[str, Path]
    imports: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of_project(cls, root: Path) -> "ImportGraph":
        """Every module of the Django apps (top-level packages with an apps.py) under root."""
        files: dict[str, Path] = {}
        for apps_py in sorted(root.glob("*/apps.py")):
            package = apps_py.parent
            for path in sorted(package.rglob("*.py")):
                relative = path.relative_to(root).with_suffix("")
                if SKIPPED_PARTS & set(relative.parts):
                    continue
                parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
                files[".".join(parts)] = path
        graph = cls(files)
        for module in files:
            graph.imports[module] = graph._imports_of(module)
        return graph

    def _imports_of(self, module: str) -> set[str]:
        path = self.files[module]
        is_package = path.name == "__init__.py"
        found: set[str] = set()
        for node in _running_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.add(self._known(alias.name))
                continue
            base = self._absolute(module, is_package, node.level, node.module)
            for alias in node.names:
                found.add(self._known(f"{base}.{alias.name}" if base else alias.name))
        found.discard("")
        found.discard(module)
        return found

    @staticmethod
    def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
        if not level:
            return name or ""
        parts = module.split(".")
        anchor = parts if is_package else parts[:-1]
        anchor = anchor[: len(anchor) - (level - 1)]
        return ".".join([*anchor, name] if name else anchor)

    def _known(self, name: str) -> str:
        """The longest prefix of `name` that is a project module, or "" for none."""
        parts = name.split(".")
        while parts:
            candidate = ".".join(parts)
            if candidate in self.files:
                return candidate
            parts.pop()
        return ""

    def cycles(self) -> list[list[str]]:
        """The strongly connected components of more than one module, each sorted."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []

        def visit(module: str) -> None:
            index[module] = low[module] = len(index)
            stack.append(module)
            on_stack.add(module)
            for imported in sorted(self.imports[module]):
                if imported not in index:
                    visit(imported)
                    low[module] = min(low[module], low[imported])
                elif imported in on_stack:
                    low[module] = min(low[module], index[imported])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

        for module in sorted(self.imports):
            if module not in index:
                visit(module)
        return sorted(found)


def _running_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of a module, those inside functions included, less those
    under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    graph = ImportGraph.of_project(root)
    count = sum(len(imported) for imported in graph.imports.values())
    sys.stdout.write(f"{len(graph.files)} modules, {count} imports between them\n")
    cycles = graph.cycles()
    for cycle in cycles:
        sys.stdout.write("cycle: " + " ".join(cycle) + "\n")
        for module in cycle:
            for imported in sorted(graph.imports[module] & set(cycle)):
                sys.stdout.write(f"    {module} -> {imported}\n")
    sys.stdout.write(f"{len(cycles)} cycle(s)\n")
    return 1 if cycles else 0


if __name__ == "__main__":
    raise SystemExit(main())
