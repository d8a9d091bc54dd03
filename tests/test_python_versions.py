"""Python 3.10 to 3.13: every requirement in requirements.txt has wheels for each version.

Hosted runtimes have moved to 3.12 and 3.13. pip resolves the requirements for a Python version it is not
running on (`install --dry-run --python-version 3.X --only-binary=:all: --report`), so one resolve per
version, the four side by side, checks them all from this interpreter. Packages published only as a source
archive (SDIST_ONLY) cannot take part in that resolve; each must be pure Python, which is checked on the
installed copy (no compiled file in its RECORD), so it builds on any version. Needs the package index
(CI reaches PyPI); the versions resolved are printed (`pytest -s`).
"""
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ("3.10", "3.11", "3.12", "3.13")
SDIST_ONLY = {"jieba": "0.42.1 is published as a source archive only (pure Python, bundles its dictionary)"}
SHOWN = ("torch", "numpy", "diffusers", "transformers", "scipy", "ipywidgets", "sentencepiece")


def _requirements() -> list:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line.split("#")[0].strip()) for line in lines if line.split("#")[0].strip()]


def test_every_requirement_has_wheels_for_python_3_10_to_3_13(tmp_path):
    requirements = _requirements()
    binary = [r for r in requirements if r.name not in SDIST_ONLY]
    (tmp_path / "requirements.txt").write_text("\n".join(map(str, binary)) + "\n")
    runs = {}
    for version in VERSIONS:   # network-bound: the four resolves run side by side
        cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--only-binary=:all:", "-q",
               "--python-version", version, "--target", str(tmp_path / f"target{version}"),
               "--report", str(tmp_path / f"report{version}.json"), "-r", str(tmp_path / "requirements.txt")]
        runs[version] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    resolved = {}
    for version, run in runs.items():
        _, err = run.communicate(timeout=900)
        errors = [line for line in err.splitlines() if line.startswith("ERROR")]
        assert run.returncode == 0, f"Python {version}: {errors[-3:] or err[-1500:]}"
        report = json.loads((tmp_path / f"report{version}.json").read_text())
        resolved[version] = {i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]["version"] for i in report["install"]}
        for req in binary:
            name = req.name.lower().replace("_", "-")
            assert name in resolved[version] and req.specifier.contains(resolved[version][name], prereleases=True), (version, str(req))
    for name in SDIST_ONLY:
        compiled = [f for f in metadata.files(name) or [] if f.suffix in (".so", ".pyd", ".dylib")]
        assert metadata.files(name) and not compiled, f"{name} has compiled files: {compiled[:3]}"
    print("\n" + "\n".join(f"Python {v}: {len(r)} packages; " + ", ".join(f"{n} {r.get(n)}" for n in SHOWN)
                           for v, r in resolved.items()))
