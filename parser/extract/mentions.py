"""Units named inside item texts (由市场监管处会同办公室…), found with jieba.

The tokenizer's dictionary is only the units the document and the profile name, so loading it
costs nothing like jieba's default dictionary; HMM is off because unknown words are not wanted.
"""
from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "data" / "jieba_seed.txt"


def find_mentions(texts: list[str], units: list[str]) -> list[list[str]]:
    """For each text, the known units it names, in order of first appearance.

    >>> find_mentions(["由市场监管处会同办公室开展检查", "无"], ["办公室", "市场监管处"])
    [['市场监管处', '办公室'], []]
    """
    names = [u for u in units if len(u) >= 2]
    if not names or not any(n in t for t in texts for n in names):
        return [[] for _ in texts]
    import jieba

    tokenizer = jieba.Tokenizer(dictionary=str(SEED))
    for name in names:
        tokenizer.add_word(name, freq=100000)
    wanted = set(names)
    out = []
    for text in texts:
        seen: list[str] = []
        for token in tokenizer.cut(text, HMM=False):
            if token in wanted and token not in seen:
                seen.append(token)
        out.append(seen)
    return out
