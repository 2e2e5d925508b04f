"""An import's progress on a terminal: rows read, checked and written with the rate, on one
line that redraws itself; nothing when the output is not a terminal (cron, CI, pages)."""

import io
import re
from pathlib import Path

import pytest

from portal.csv_import import Progress
from procedures.services import units_import
from tests.commands import run_command, write_csv

pytestmark = pytest.mark.django_db

UNITS = "code,name,level,parent_code\n38,Tỉnh Thanh Hóa,province,\n" + "".join(
    f"{38000 + n},Xã {n},commune,38\n" for n in range(1, 2501)
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_rows_read_checked_and_written(tmp_path: Path) -> None:
    terminal = Terminal()
    progress = Progress(terminal, label="import_units")

    units_import(path=write_csv(tmp_path, UNITS), progress=progress)
    progress.finish()

    drawn = terminal.getvalue().split("\r")[1:]
    pattern = r"import_units: (\d+) read, (\d+) checked, (\d+) written, [\d,]+ rows/s"
    counts = [tuple(map(int, re.fullmatch(pattern, line.strip()).groups())) for line in drawn]
    # Drawn at once, redrawn every thousand rows of work, once more at the end
    assert counts[:3] == [(1, 0, 0), (1001, 0, 0), (2001, 0, 0)]
    assert counts[-1] == (2501, 2501, 2501)
    assert drawn[-1].endswith("\n")
    assert counts == sorted(counts)


def test_nothing_is_drawn_when_the_output_is_not_a_terminal(tmp_path: Path) -> None:
    status, out, err = run_command("import_units", str(write_csv(tmp_path, UNITS)))

    assert (status, err) == (0, "")
    assert out == "import_units: 2501 rows: 2501 created, 0 updated, 0 unchanged\n"
