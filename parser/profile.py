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
    """Read a profile.  Raises SourceError when missing, RuleFileError when malformed."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(f"{path}: no such profile") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleFileError(str(path), "-", f"not a valid TOML profile: {exc}") from None
    units = {}
    for name, spec in (data.get("units") or {}).items():
        if not isinstance(spec, dict):
            raise RuleFileError(str(path), f"units.{name}", "must be a table, e.g. { aliases = [...] }")
        units[name] = tuple(spec.get("aliases", ()))
    seen: dict[str, str] = {}
    for name, aliases in units.items():
        for alias in aliases:
            if alias in seen and seen[alias] != name:
                raise RuleFileError(str(path), f"units.{name}", f'alias "{alias}" is also under "{seen[alias]}"')
            seen[alias] = name
    groups = {}
    for name, members in (data.get("groups") or {}).items():
        unknown = [m for m in members if m not in units]
        if unknown:
            raise RuleFileError(str(path), f"groups.{name}", f"members not under [units]: {', '.join(unknown)}")
        groups[name] = tuple(members)
    return Profile(data.get("issuer"), units, groups, data.get("letters", {}), str(path))


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
