"""A `wasi:cli/command` component in Python, built by componentize-py (see build.sh).

It prints, reads its arguments and environment, both clocks and random bytes, sleeps 10 s and
exits with the code 7 through `wasi:cli/exit.exit-with-code`: what the minimal host's tests
check (cli/tests/python_component.rs).
"""

import os
import sys
import time

from wit_world import exports
from wit_world.imports import exit as wasi_exit


class Run(exports.Run):
    def run(self) -> None:
        print("hello from componentize-py")
        print("args:", " ".join(sys.argv))
        print("GREETING=" + os.environ.get("GREETING", ""))
        print("now:", time.time_ns())
        start = time.monotonic_ns()
        time.sleep(10)
        print("slept:", (time.monotonic_ns() - start) // 1_000_000_000, "s")
        print("random:", os.urandom(8).hex())
        print("to stderr", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        wasi_exit.exit_with_code(7)
