"""Rebuild ``static/plotly-race.min.js``, the race view's plotly.js: ``python -m viz.race_view.vendor_plotly``.

The file is a partial bundle of plotly.js, the way plotly documents custom bundles (``CUSTOM_BUNDLE.md``): its
core, which includes the scatter trace, with the heatmap and contour traces registered, minified by esbuild.
Those three are every trace type the figures drawn with it use.  Against plotly's prebuilt cartesian bundle
(eleven trace types and world calendars, 1.5 MB) it is 1.1 MB, and a fresh page takes under half the time to
load and run it (``benchmarks/bench_browser.py``).

The inputs are pinned in ``plotly_build/``: ``package.json`` (exact versions of plotly.js and esbuild),
``package-lock.json`` (every dependency with its registry integrity hash) and ``entry.js``.  This script installs
them with ``npm ci`` in a temporary folder, runs esbuild with the flags below, checks the output's SHA-256 and
writes the file, so the committed copy is exactly this build.  plotly.js's version must be the one the installed
``plotly`` Python package serialises figures for (``tests/test_race_view.py`` checks it); to move to a new
version, change it in ``package.json``, run ``npm install --package-lock-only --ignore-scripts`` there, rebuild
with ``--accept`` and commit the three files.  Needs node and npm (not needed to run or test the app).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

BUILD = Path(__file__).parent / "plotly_build"
TARGET = Path(__file__).parent / "static" / "plotly-race.min.js"
VERSION = json.loads((BUILD / "package.json").read_text())["dependencies"]["plotly.js"]
SHA256 = "90b4fad44fd458765e4bca14790fae4fa09c47b05b9f57f77a065e6051d240d7"   # of TARGET
BANNER = f"/*! plotly.js (race view: core, heatmap, contour - minified) v{VERSION} | (c) Plotly, Inc. | MIT */"
ESBUILD = ["entry.js", "--bundle", "--minify", "--format=iife", "--global-name=Plotly", "--target=es2016",
           "--define:global=window", "--define:define.amd=false",
           "--loader:.css=empty",     # the one CSS import is maplibre's, for map traces, which are not included
           f"--banner:js={BANNER}", "--outfile=plotly-race.min.js"]


def build() -> bytes:
    """The bundle built from the pinned inputs in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("package.json", "package-lock.json", "entry.js"):
            shutil.copy(BUILD / name, tmp)
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=tmp, check=True)
        subprocess.run([str(Path(tmp) / "node_modules" / ".bin" / "esbuild"), *ESBUILD], cwd=tmp, check=True)
        return (Path(tmp) / "plotly-race.min.js").read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accept", action="store_true",
                        help="write the build even if its SHA-256 differs from the pinned one (then update SHA256)")
    args = parser.parse_args()
    data = build()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256 and not args.accept:
        raise SystemExit(f"the build's sha256 {digest} differs from the pinned {SHA256}")
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data):,} bytes, plotly.js {VERSION}, sha256 {digest})")


if __name__ == "__main__":
    main()
