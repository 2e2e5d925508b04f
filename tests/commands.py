"""Run management commands in tests as a shell would."""

import io
from pathlib import Path

from django.core.management import call_command


def write_csv(tmp_path: Path, text: str, *, name: str = "import.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def run_command(command: str, *args: str) -> tuple[int, str, str]:
    """Exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()
