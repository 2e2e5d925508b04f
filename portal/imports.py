"""The data imports an administrator may run from the admin's pages as well as from the
shell (INTERFACES.md §2). Each app registers its own in its AppConfig.ready(), so the
foundation names no app of the domain; the pages list them in the documented load order."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import Promise

from portal.models import User

# import_units → import_agencies → import_reception_points → import_procedures (or the
# whole catalogue) → import_officers → import_dossiers.
LOAD_ORDER = [
    "units", "agencies", "reception_points", "catalogue", "procedures", "officers", "dossiers",
]  # fmt: skip


@dataclass(frozen=True)
class Importer:
    name: str
    label: str | Promise
    command: str
    run: Callable[..., object]  # an ImportSummary, or one per file (the catalogue's)
    # Reads a directory of named files (the whole catalogue) instead of one file.
    reads_directory: bool = False
    # Templates show an importer; they must not run it.
    do_not_call_in_templates = True

    def __call__(self, *, path: Path, update: bool, actor: User) -> object:
        if self.reads_directory:
            return self.run(directory=path, update=update, actor=actor)
        return self.run(path=path, update=update, actor=actor)


_importers: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    _importers[importer.name] = importer


def importers() -> list[Importer]:
    order = {name: position for position, name in enumerate(LOAD_ORDER)}
    return sorted(_importers.values(), key=lambda i: (order.get(i.name, len(order)), i.name))


def importer(name: str) -> Importer | None:
    return _importers.get(name)
