"""``python -m memberkit`` and the ``memberkit`` script: the operator's command (``memberkit
--help``), the same code as the Rust binary."""

from __future__ import annotations

import signal
import sys

from ._native import run_cli


def main() -> None:
    """Runs the command with this process's arguments and exits with its status."""
    # Ctrl-C stops the command at once, as it stops the binary (Rust runs without the GIL, so
    # Python's own handler would only run once the command returned).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(run_cli(["memberkit", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
