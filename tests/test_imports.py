"""Importing the product code runs no simulation: a module's import defines things, the page runs them.

A fresh interpreter imports every module of the packages and ``publish.py`` with a profiler that records each call
of a function named ``simulate`` or ``replay`` defined under ``optimizers/`` (whatever module holds them), and
then makes one such call on purpose, so the check is seen to catch one.  ``app.py`` is the page itself: running
it is what it is for.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("landscapes", "optimizers", "state", "viz", "ui")

PROBE = r"""
import importlib, json, pkgutil, sys
from pathlib import Path

root = Path.cwd()
core = str(root / "optimizers")
calls = []

def profile(frame, event, arg):
    code = frame.f_code
    if event == "call" and code.co_name in ("simulate", "replay") and code.co_filename.startswith(core):
        calls.append(f"{Path(frame.f_back.f_code.co_filename).name}:{frame.f_back.f_lineno}")

sys.setprofile(profile)
modules = ["paramspec", "publish"]
for package in PACKAGES:
    modules.append(package)
    modules += [m.name for m in pkgutil.walk_packages([str(root / package)], prefix=package + ".")]
for name in modules:
    importlib.import_module(name)
on_import = list(calls)

import numpy as np
from landscapes import get
from optimizers import simulate
simulate(get("ravine"), "gd", np.array([1.0, 1.0]), 3)
sys.setprofile(None)
print(json.dumps({"modules": modules, "on_import": on_import, "control": len(calls) - len(on_import)}))
"""


def test_importing_every_product_module_runs_no_simulation():
    probe = f"PACKAGES = {PACKAGES!r}\n{PROBE}"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["modules"]) > 60 and "state.lessons" in result["modules"] and "ui.page" in result["modules"]
    assert result["control"] >= 1, "the probe did not see a simulate() call made on purpose"
    assert result["on_import"] == [], f"simulations run at import time, called from {result['on_import']}"
