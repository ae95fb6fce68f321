"""Front-end packages are installed from npm and served by the app itself (no CDN:
government intranets are offline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("package", "static_path"),
    [
        ("bootstrap", "vendor/bootstrap/css/bootstrap.min.css"),
        ("echarts", "vendor/echarts/echarts.min.js"),
    ],
)
def test_each_front_end_package_is_pinned_and_served_locally(package, static_path):
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"][package]
    assert pinned[0].isdigit(), f"{package} must be pinned to an exact version, not {pinned}"
    found = finders.find(static_path)
    assert found, f"{static_path} is not among the static files (run make static)"
    assert Path(found).stat().st_size > 10_000
