"""What every benchmark writes with its numbers: the machine, and its own section of
docs/benchmarks.md (the other sections are left as they are)."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or what the platform module knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine(cores: str = "shared", *, load: bool = False, extra: str = "") -> str:
    """'<CPU>, N cores (<cores>)[, load average L at the end], Python X[, extra], <OS>'."""
    load_note = ""
    if load and hasattr(os, "getloadavg"):
        load_note = f", load average {os.getloadavg()[0]:.1f} at the end"
    extra_note = f", {extra}" if extra else ""
    return (f"{cpu_model()}, {os.cpu_count()} cores ({cores}){load_note}, Python "
            f"{platform.python_version()}{extra_note}, {platform.system()} {platform.release()}")


def write_section(section: str, text: str, doc: Path = DOC) -> None:
    """Replace the `## ...` section named `section` in the benchmarks document with `text`
    (appended when absent)."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    content = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(content):
        content = pattern.sub(lambda _m: text.rstrip("\n") + "\n\n", content, count=1)
    else:
        content = content.rstrip("\n") + "\n\n" + text
    doc.write_text(content.rstrip("\n") + "\n", encoding="utf-8")
