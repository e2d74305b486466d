"""Shared fixtures: the rules, the sample, the corpus beside the project, a CLI runner."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "suzhou-post-2022.txt"
PROFILE = ROOT / "samples" / "suzhou-post.profile.toml"
CORPUS = ROOT.parent / "shared" / "corpus"
ISSUED = date(2022, 4, 6)       # the day the sample's letters bear (a build's default: the day it runs)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* from the current parser")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def rules():
    from parser.rules import load_rules
    return load_rules()


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def in_root(monkeypatch):
    """Run from the project root, so paths in outputs are the project's own relative paths."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture(scope="session")
def font_cache(tmp_path_factory):
    """Prepared PDF fonts go to a folder of the test session, not the user's cache."""
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("font-cache")
    mp.setenv("PLANDOC_CACHE", str(folder))
    yield folder
    mp.undo()


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory, font_cache):
    """The whole sample built once (both formats, two processes), for the tests that read it."""
    from parser import load_profile
    from parser import load_plan
    from plandoc.build import build

    profile = load_profile(PROFILE)
    plan = load_plan(SAMPLE, profile)
    out = tmp_path_factory.mktemp("build")
    result = build(plan, profile, out, workers=2, issued=ISSUED)
    return plan, profile, result
