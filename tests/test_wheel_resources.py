"""Resources are found from an installed wheel, not only from a checkout.

Builds the wheel the way a release does (hatchling, no network), unpacks it
into a folder outside the checkout and runs Python from yet another folder:
the catalog, the sample portfolio and ``hedger plan`` must all come from the
installed ``hedger/_resources``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import json, sys
from pathlib import Path
import hedger
from hedger.core.catalog import builtin_catalog
from hedger.core.resources import resource_path, resources_dir
from hedger.store.portfolio_file import load_portfolio
sample = resource_path("samples", "core-stack.json")
print(json.dumps({
    "package": hedger.__file__,
    "resources": str(resources_dir()),
    "contracts": len(builtin_catalog().contracts),
    "families": sorted(builtin_catalog().families),
    "sample": str(sample),
    "sample_name": load_portfolio(sample).name,
}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import hatchling  # noqa: F401
    except ImportError:
        pytest.fail("hatchling is missing: install the dev extras (pip install -e '.[dev]')")
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    build = ["pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    proc = subprocess.run(
        [sys.executable, "-m", *build, str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = out.glob("hedger-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    return site


def _run(site: Path, cwd: Path, data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "HEDGER_DATA_DIR": str(data_dir)}
    env.pop("PYTHONHOME", None)
    return subprocess.run(
        [sys.executable, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def test_installed_wheel_finds_its_own_resources(
    installed: Path, tmp_path: Path, data_dir: Path
) -> None:
    wheel_resources = installed / "hedger" / "_resources"
    assert (wheel_resources / "contracts.json").is_file()
    assert (wheel_resources / "samples" / "core-stack.json").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = _run(installed, elsewhere, data_dir, "-c", CHECK)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert Path(found["package"]).resolve() == (installed / "hedger" / "__init__.py").resolve()
    assert Path(found["resources"]).resolve() == wheel_resources.resolve()
    assert Path(found["sample"]).resolve().is_relative_to(wheel_resources.resolve())
    assert not Path(found["resources"]).resolve().is_relative_to(ROOT)
    assert found["contracts"] >= 15
    assert {"GENERIC-BTC", "CME-BTC", "DERIBIT-BTC"} <= set(found["families"])
    assert found["sample_name"]


def test_installed_cli_plans_the_installed_sample(
    installed: Path, tmp_path: Path, data_dir: Path
) -> None:
    sample = installed / "hedger" / "_resources" / "samples" / "core-stack.json"
    proc = _run(installed, tmp_path, data_dir, "-m", "hedger", "plan", str(sample), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {u["underlying"] for u in doc["underlyings"]} >= {"BTC", "ETH"}
