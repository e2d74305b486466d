"""The rule data in parser/data: every file loads, every pattern compiles and matches its examples."""
import tomllib

import pytest
import regex

import shutil
from pathlib import Path

from parser.model import ROLES
from parser.rules import DATA_DIR, load_rules

DEADLINES = tomllib.loads((DATA_DIR / "deadlines.toml").read_text(encoding="utf-8"))
NUMBERING = tomllib.loads((DATA_DIR / "numbering.toml").read_text(encoding="utf-8"))


def test_rules_load(rules):
    assert rules.verbs[0][0] == max((v for v, _ in rules.verbs), key=len)  # longest verb is tried first
    assert set(rules.role_words.values()) == set(ROLES)


ROLES_DATA = tomllib.loads((DATA_DIR / "roles.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("label", ROLES_DATA["labels"]["examples"])
def test_one_vocabulary_names_units_in_clauses_and_tables(rules, label):
    """A label means the same role as a clause key, an inline marker and a table header."""
    from parser.extract.clauses import parse_clause
    from parser.extract.tables import column_kind
    role = rules.label_role(label)
    assert role in ROLES
    clause = f"{label}:市发改委、市财政局"
    assert [u.role for u in parse_clause(clause, clause, rules).units] == [role, role]
    assert column_kind(label, rules) == role
    marked = f"{label}:市发改委({label[:2]})"
    assert parse_clause(marked, marked, rules).units[0].role == rules.label_role(label[:2]) or \
        rules.label_role(label[:2]) is None


@pytest.mark.parametrize("label", ROLES_DATA["labels"]["person"])
def test_person_labels_are_not_units(rules, label):
    from parser.extract.tables import column_kind
    assert rules.label_role(label) is None and column_kind(label, rules) == "person"


def broken(tmp_path, name: str, old: str, new: str) -> Path:
    """A copy of the rule data with one file changed."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    text = (folder / name).read_text(encoding="utf-8")
    assert old in text
    (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name, old, new, message", [
    ("units.toml", "max_name_length = 24", "", "units.toml: max_name_length: missing"),
    ("units.toml", "max_name_length = 24", "max_name_length = 24\nmax_nam = 3", "units.toml: max_nam: not a key"),
    ("units.toml", "max_name_length = 24", 'max_name_length = "24"', "units.toml: max_name_length: must be int"),
    ("deadlines.toml", 'meaning = "day"', 'meaning = "dia"', "deadlines.toml: phrases[0].meaning: \"dia\""),
    ("numbering.toml", "pattern = '^(?P<n>", "pattern = '^(?P<n", "numbering.toml: styles.cn: bad regex"),
    ("roles.toml", '"分别牵头落实" = "lead"', '"分别牵头落实" = "leader"', "roles.toml: verbs.分别牵头落实: role"),
    ("roles.toml", 'support = ["配合"', 'support = ["牵头", "配合"', 'role_words.support: "牵头" is also'),
    ("document.toml", "文件编号|文件字号", "文件字号", 'document.toml: doc_number_examples: "文件编号: |'),
])
def test_a_broken_rule_file_names_the_file_and_key(tmp_path, name, old, new, message):
    from parser.errors import RuleFileError
    with pytest.raises(RuleFileError) as caught:
        load_rules(broken(tmp_path, name, old, new))
    assert message in str(caught.value)


def test_data_words_are_escaped_in_patterns(tmp_path):
    """A word with regex characters is a word: 形象进度(%) names a report column, whole."""
    from parser.extract.tables import column_kind
    rules = load_rules(broken(tmp_path, "roles.toml", 'report = ["实际完成情况"', 'report = ["进度(%+)", "实际完成情况"'))
    assert column_kind("进度(%+)", rules) == "ignore"


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
        # the example's first number is the qualifier: 超1000万件的 is not a target (3个 after it is)
        first = float(regex.search(r"\d+", example).group()) * (10_000 if "万" in example.split("的")[0] else 1)
        assert first not in [t.value for t in find_targets(example, example, rules, 1)], example
