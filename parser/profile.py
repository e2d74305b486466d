"""An organisation profile (TOML): the issuer's own units, their aliases and the groups.

    issuer = "苏州市邮政管理局"
    [units."市邮政业安全发展中心"]
    aliases = ["市级安全中心"]
    [groups]
    "各处室" = ["办公室", "普遍服务处", "市场监管处"]

With a profile, a unit written by an alias gets its `canonical` name, a unit the profile does
not know is a warning, and units named inside item texts are found (with jieba).
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .errors import RuleFileError, SourceError
from .extract.mentions import find_mentions
from .model import Plan, Notice
from .rules import Rules


@dataclass(frozen=True)
class Profile:
    issuer: Optional[str] = None
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)     # name -> aliases
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)    # group -> members
    letters: dict = field(default_factory=dict)                         # settings for documents
    path: Optional[str] = None

    def canonical(self, name: str) -> Optional[str]:
        if name in self.units or name in self.groups:
            return name
        for unit, aliases in self.units.items():
            if name in aliases:
                return unit
        return None

    def expand(self, name: str) -> tuple[str, ...]:
        """The units a name covers: a group's members, or the unit itself."""
        canonical = self.canonical(name) or name
        return self.groups.get(canonical, (canonical,))


def load_profile(path: Path | str) -> Profile:
    """Read a profile.  Raises SourceError when missing, RuleFileError when malformed, naming
    the key: every value is checked for its kind (a list of names, a table of units …)."""
    path = Path(path)
    where = str(path)
    from .limits import MAX_PROFILE_MB, read_limited
    if not path.exists():
        raise SourceError(f"{path}: no such profile")
    # read through the bounded reader: a profile given as /dev/zero is refused at the limit
    raw = read_limited(path, MAX_PROFILE_MB, "a profile", "")
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))     # a BOM from an editor is fine
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise RuleFileError(where, "-", f"not a valid TOML profile: {exc}") from None
    unknown = sorted(set(data) - {"issuer", "units", "groups", "letters"})
    if unknown:
        raise RuleFileError(where, unknown[0], "not a key of a profile (keys: issuer, units, groups, letters)")
    issuer = data.get("issuer")
    if issuer is not None and not isinstance(issuer, str):
        raise RuleFileError(where, "issuer", "must be a name in quotes")
    units = {}
    for name, spec in _table(data, "units", where).items():
        if not isinstance(spec, dict):
            raise RuleFileError(where, f"units.{name}", "must be a table, e.g. { aliases = [...] }")
        units[name] = _names(spec.get("aliases", []), where, f"units.{name}.aliases")
    seen: dict[str, str] = {}
    for name, aliases in units.items():
        for alias in aliases:
            if alias in seen and seen[alias] != name:
                raise RuleFileError(where, f"units.{name}", f'alias "{alias}" is also under "{seen[alias]}"')
            seen[alias] = name
    groups = {}
    for name, members in _table(data, "groups", where).items():
        members = _names(members, where, f"groups.{name}")
        unknown = [m for m in members if m not in units]
        if unknown:
            raise RuleFileError(where, f"groups.{name}", f"members not under [units]: {', '.join(unknown)}")
        groups[name] = members
    letters = _table(data, "letters", where)
    for key, value in letters.items():
        if key == "signature_lines":
            _names(value, where, "letters.signature_lines")
        elif not isinstance(value, str):
            raise RuleFileError(where, f"letters.{key}", "must be a sentence in quotes")
    return Profile(issuer, units, groups, letters, where)


def _table(data: dict, key: str, where: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise RuleFileError(where, key, f"must be a table: [{key}]")
    return value


def _names(value, where: str, key: str) -> tuple[str, ...]:
    """A list of names; one name alone in quotes is refused rather than split into characters."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleFileError(where, key, 'must be a list of names, e.g. ["局办公室"]')
    return tuple(value)


def apply_profile(plan: Plan, profile: Optional[Profile], rules: Rules) -> Plan:
    """Canonical names, unknown-unit warnings and in-text mentions."""
    known: set[str] = {u.name for t in plan.tasks for u in t.departments}
    warnings = list(plan.warnings)
    tasks = []
    if profile is not None:
        known |= set(profile.units) | {a for al in profile.units.values() for a in al} | set(profile.groups)
    for t in plan.tasks:
        units = t.departments
        if profile is not None:
            units = []
            for u in t.departments:
                canonical = profile.canonical(u.name)
                if canonical is None:
                    warnings.append(Notice("unknown-unit", t.line,
                                            f'unit "{u.name}" is not in the profile {profile.path}'))
                units.append(dataclasses.replace(u, canonical=canonical if canonical not in (None, u.name) else None))
            units = tuple(units)
        tasks.append((t, units))
    mentions = find_mentions([t.text for t, _ in tasks], sorted(known))
    out = [dataclasses.replace(t, departments=units, mentions=tuple(m)) for (t, units), m in zip(tasks, mentions)]
    warnings.sort(key=lambda w: w.line)
    return dataclasses.replace(plan, tasks=tuple(out), warnings=tuple(warnings))
