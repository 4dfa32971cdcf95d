"""Run every benchmark in turn (`make bench` / `python -m bench`); each rewrites its own
section of docs/benchmarks.md. Pass names to run only some: `python -m bench extract crawl`.

The search benchmark at 1,000,000 records takes a long time; `python -m bench search` runs
its default sizes, `python -m bench.search --sizes 100000` a quick one.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ("extract", "crawl", "capture", "search", "distributed")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}",
              file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"== bench.{name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}"]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
