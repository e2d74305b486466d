"""The same work stated twice: texts alike by the Jaccard similarity of their character pairs,
found among thousands without comparing every text with every other.

    >>> round(similarity("宣贯省政府关于加快农村寄递物流体系建设的实施意见", "贯彻落实省政府关于加快农村寄递物流体系建设的实施意见"), 2)
    0.78
"""
from __future__ import annotations

import collections
import math
from typing import Hashable, Sequence

from .normalize import letters_only


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character pairs, spaces and punctuation ignored."""
    return jaccard(pairs_of(a), pairs_of(b))


def jaccard(x: frozenset, y: frozenset) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def pairs_of(text: str) -> frozenset:
    s = letters_only(text)
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def same_work(items: Sequence[tuple[Hashable, str]], threshold: float) -> list[list[int]]:
    """Groups of the items (part, text), in their order, that state the same work: a text joins
    the first group whose first text it is alike to (at least `threshold`) and that holds no
    text of its own part yet; every item is in one group.

    A text is compared only with the groups that share one of its rarest character pairs
    (prefix filtering: two sets with a Jaccard similarity of at least t share an element among
    the first |x| - ceil(t·|x|) + 1 of each, ranked by rarity), and only with groups begun in
    another part, so a plan of 10,000 tasks is not 10,000² comparisons.

    >>> same_work([("分解方案", "新建15个绿色网点"), ("分解方案", "推动立法"), ("民生实事", "新建15个绿色网点。")], 0.7)
    [[0, 2], [1]]
    """
    sets = [pairs_of(text) for _, text in items]
    rarity = collections.Counter(p for s in sets for p in s)

    def prefix(k: int) -> list[str]:
        ranked = sorted(sets[k], key=lambda p: (rarity[p], p))
        return ranked[:len(ranked) - math.ceil(threshold * len(ranked)) + 1] if ranked else []

    groups: list[list[int]] = []
    parts: list[set] = []                   # the parts each group's items come from
    # the part a group began in -> its first item's rarest pairs -> groups
    index: dict = collections.defaultdict(lambda: collections.defaultdict(list))
    for k, (part, _) in enumerate(items):
        mine = prefix(k)
        candidates = {g for other, by_pair in index.items() if other != part for p in mine for g in by_pair.get(p, ())}
        for g in sorted(candidates):
            if part not in parts[g] and jaccard(sets[groups[g][0]], sets[k]) >= threshold:
                groups[g].append(k)
                parts[g].add(part)
                break
        else:
            groups.append([k])
            parts.append({part})
            for p in mine:
                index[part][p].append(len(groups) - 1)
    return groups
