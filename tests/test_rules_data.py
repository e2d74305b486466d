"""The rule data in parser/data: every file loads, every pattern compiles and matches its examples."""
import tomllib

import pytest
import regex

from parser.rules import DATA_DIR

DEADLINES = tomllib.loads((DATA_DIR / "deadlines.toml").read_text(encoding="utf-8"))
NUMBERING = tomllib.loads((DATA_DIR / "numbering.toml").read_text(encoding="utf-8"))


def test_rules_load(rules):
    assert rules.verbs[0][0] == max((v for v, _ in rules.verbs), key=len)  # longest verb is tried first
    assert set(rules.clause_keys.values()) <= {"lead", "responsible", "support"}


@pytest.mark.parametrize("entry", DEADLINES["phrases"], ids=lambda e: e["examples"][0])
def test_deadline_examples_match(entry):
    pattern = regex.compile(entry["pattern"])
    for example in entry["examples"]:
        assert pattern.search(example), f"{entry['pattern']} does not match its example {example}"


@pytest.mark.parametrize("style", NUMBERING["styles"], ids=lambda s: s["name"])
def test_numbering_examples_match(style):
    for example in style["examples"]:
        assert regex.match(style["pattern"], example), example


def test_fold_pairs_are_single_characters(rules):
    for line in (DATA_DIR / "t2s.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split()
            assert len(trad) == len(simp) == 1 and trad != simp


def test_every_data_file_opens_with_a_comment():
    for path in DATA_DIR.glob("*.toml"):
        assert path.read_text(encoding="utf-8").startswith("#"), path.name


def test_document_rule_examples(rules):
    data = tomllib.loads((DATA_DIR / "roles.toml").read_text(encoding="utf-8"))
    for example in data["document_rules"]["first_listed_leads_example"]:
        assert any(p.search(example) for p in rules.first_listed_leads), example


def test_qualifier_examples_are_not_targets(rules):
    from parser.extract.targets import find_targets
    data = tomllib.loads((DATA_DIR / "targets.toml").read_text(encoding="utf-8"))
    for example in data["qualifiers"]["examples"]:
        values = [t.value for t in find_targets(example, example, rules, 1)]
        assert 80 not in values and 10_000_000 not in values, example
