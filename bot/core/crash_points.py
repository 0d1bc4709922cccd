"""Named points where a test run may kill the process, to prove crash safety.

`crash_point("ingest:stored")` ends the process at once (`os._exit`, as a
kill -9 would: no `finally`, no flush, no commit) when the environment
variable `NASHIR_TEST_CRASH_AT` names that point. It is read once, at import;
unset, as it is outside the crash tests, every point is a no-op.
"""

from __future__ import annotations

import os
import sys
from typing import Final

CRASH_ENV: Final = "NASHIR_TEST_CRASH_AT"
CRASH_EXIT: Final = 137  # what a shell reports for a process killed by SIGKILL

_ARMED: Final = os.environ.get(CRASH_ENV, "").strip()


def crash_point(name: str) -> None:
    """Die here, without cleaning up, when this run was started to crash at `name`."""
    if _ARMED and name == _ARMED:
        sys.stderr.write(f"crash point {name}: exiting\n")
        sys.stderr.flush()
        os._exit(CRASH_EXIT)
