"""Write every report the refactoring acceptance names, with a manifest of their checksums.

Runs, on the bundled data: ``simulate`` for every bundled scenario (and the baseline ``graph``
page), ``timeline -s 2025-replay``, ``backtest``, ``criticality``, ``montecarlo --seed 0`` and
``validate --quality-out``, each into its own folder under DIR, then writes DIR/manifest.txt
(one ``sha256  path`` line per file). Two manifests from two versions of the code compare
with ``diff``: a change that moves code without meaning to change a figure leaves them
identical.

Usage::

    python benchmarks/golden.py DIR            # write the reports and DIR/manifest.txt
    python benchmarks/golden.py DIR --compare OTHER_DIR   # then diff against another manifest
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent.parent / "data" / "scenarios"


def runs() -> list[tuple[str, list[str]]]:
    """Each run's folder name and its command-line arguments; the folder comes last (after
    ``--out``, or the option that ends the list)."""
    names = sorted(path.stem for path in SCENARIOS.glob("*.toml"))
    listed = [(f"simulate-{name}", ["simulate", "-s", name]) for name in names]
    return [
        *listed,
        ("graph", ["graph"]),
        ("timeline-2025-replay", ["timeline", "-s", "2025-replay"]),
        ("backtest", ["backtest"]),
        ("criticality", ["criticality"]),
        ("montecarlo", ["montecarlo", "-s", "2025-10-package", "--seed", "0"]),
        ("validate", ["validate", "--quality-out"]),
    ]


def write(folder: Path) -> Path:
    """Run every command into ``folder`` and write its manifest; return the manifest's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, args in runs():
        out = folder / name
        if not args[-1].startswith("--"):
            args = [*args, "--out"]
        command = [sys.executable, "-m", "supplygraph", *args, str(out)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    lines = [
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(folder)}"
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "manifest.txt"
    ]
    manifest = folder / "manifest.txt"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--compare", type=Path, help="a folder with an earlier manifest.txt")
    options = parser.parse_args()
    manifest = write(options.folder)
    if options.compare is None:
        return 0
    before = (options.compare / "manifest.txt").read_text(encoding="utf-8").splitlines()
    after = manifest.read_text(encoding="utf-8").splitlines()
    changed = sorted(set(before) ^ set(after), key=lambda line: line.split("  ")[1])
    for line in changed:
        print(("-" if line in before else "+") + " " + line)
    print(f"{len(after)} files, {len(changed)} manifest lines differ")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
