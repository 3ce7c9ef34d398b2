"""Rebuild ``static/plotly-cartesian.min.js``, the race view's plotly.js: ``python -m viz.race_view.vendor_plotly``.

The file is plotly's own prebuilt *cartesian* bundle (``plotly.js-cartesian-dist-min`` on npm: scatter, contour,
heatmap, bar and the other 2-D traces, 1.5 MB) instead of the full ``plotly.min.js`` (4.8 MB) inside the
``plotly`` Python package: a fresh page spends about a third of the time compiling and running it.  Its version
is the one the installed ``plotly`` package bundles (``tests/test_race_view.py`` checks they agree), so figures
serialised by ``plotly`` draw the same.  This script downloads the npm tarball, checks it against the registry's
integrity hash, and writes the file; the file's own hash is checked again, so the committed copy is exactly this
build.  To move to a new plotly version, change the three constants to the new tarball's values.
"""
from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.1.1"
TARBALL = f"https://registry.npmjs.org/plotly.js-cartesian-dist-min/-/plotly.js-cartesian-dist-min-{VERSION}.tgz"
INTEGRITY = "sha512-o8GrFeusncwBIxbBynRJpY4pkgVB6caM+JLpwrLYbbsO7dZ8FJ+SVN2Fr+L7kiG/Z6w4P5O0Jus/Qr5EefHVeg=="
SHA256 = "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a"    # of the extracted file
TARGET = Path(__file__).parent / "static" / "plotly-cartesian.min.js"


def main() -> None:
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        tgz = response.read()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode()
    if integrity != INTEGRITY:
        raise SystemExit(f"{TARBALL}: integrity {integrity} differs from the pinned {INTEGRITY}")
    with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
        member = tar.extractfile("package/plotly-cartesian.min.js")
        data = member.read() if member else b""
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise SystemExit("package/plotly-cartesian.min.js: sha256 differs from the pinned SHA256")
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data):,} bytes, plotly.js {VERSION})")


if __name__ == "__main__":
    main()
