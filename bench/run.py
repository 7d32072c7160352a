"""Run every benchmark in bench/ (make bench)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import bench

    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")):
        print(f"== {module}")
        importlib.import_module(f"bench.{module}").main()


if __name__ == "__main__":
    main()
