"""Unit clauses: （办公室牵头）, 牵头单位：…；配合单位：…, 市发改委牵头落实, and the units in them.

Matching runs on folded text (see normalize.fold); names are cut from the original text at the
same offsets, so a traditional-character document keeps its own spelling (綜合科).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional

import regex

from ..model import Unit
from ..normalize import fold
from ..rules import Rules
from .deadlines import find_deadlines

OPEN, CLOSE = "(", ")"
# square and lenticular brackets enclose clauses too: [牵头单位:…;责任单位:…], 【…】 (same length)
SQUARE = str.maketrans("[]【】", "()()")
TRAILING = " \t。；;，,.、"
PHRASE_SEPARATORS = ",;，；"
# an item's first words naming a unit, then a colon: 市卫生局：负责…
UNIT_LABEL = regex.compile(r"^\s*([^\s:,，。;；、]{2,24}?)\s*:")
# a sentence that starts with 由 (after a label, a sub-numeral, or the last sentence)
BY_SENTENCE = regex.compile(r"(?:^|(?<=[。;:!?]))\s*(?:\(\d{1,2}\)|\d{1,2}[.、])?\s*由")
# the word a list calls its units by, before a name: 包片单位县幼儿园
DESCRIPTOR = regex.compile(r"\p{Han}{1,4}(?:单位|部门)")


@dataclass(frozen=True)
class Clause:
    start: int                       # offset where the clause begins in the item text
    units: tuple[Unit, ...]
    deadline: Optional[str] = None   # a 完成时限 field's value, as printed
    rule: Optional[str] = None       # a rule of low certainty found it: bracket-list, in-sentence
    end: Optional[int] = None        # where a clause inside the text ends (None: at the text's end)
    leaders: tuple[str, ...] = ()    # persons in charge: 分管领导：张三
    tail: Optional[int] = None       # where labelled fields end when text follows them that no
                                     # label claims (a table run on after 配合单位：…)


def find_clause(orig: str, folded: str, rules: Rules) -> Optional[Clause]:
    """The unit clause at the end of an item, or None.

    Tries, in order: a parenthesised clause closing the item; ``key: value`` fields after the
    text (牵头单位：…); a bare verb phrase after the last full stop (。市发改委牵头落实).
    """
    folded = _round(folded)
    end = len(folded.rstrip(TRAILING))
    if end and folded[end - 1] == CLOSE:
        start = _matching_open(folded, end - 1)
        if start is not None:
            # （由A、B负责。一项任务涉及多个部门的，由排名首位的部门牵头。下同）: the sentences
            # after the first are a note (the document rule is read from the whole text)
            stop = folded.find("。", start + 1, end - 1)
            inner_end = stop if stop > start + 1 else end - 1
            parsed = parse_clause(orig[start + 1:inner_end], folded[start + 1:inner_end], rules) \
                or bare_units(orig[start + 1:end - 1], folded[start + 1:end - 1], rules)
            if parsed and parsed.units:
                return dataclasses.replace(parsed, start=start)
    head = _unit_label(orig, folded, rules)
    if head is not None:
        return head
    for m in rules.key_re.finditer(folded):
        if m.group("key") in rules.stop_keys:
            break
        if _unclosed_before(folded, m.start()):
            break
        parsed = parse_clause(orig[m.start():], folded[m.start():], rules)
        if parsed and parsed.units:
            return dataclasses.replace(parsed, start=m.start(),
                                       tail=None if parsed.tail is None else m.start() + parsed.tail)
        break
    stop = folded.rfind("。", 0, end)
    if stop >= 0 and stop + 1 < end:
        parsed = parse_clause(orig[stop + 1:end], folded[stop + 1:end], rules)
        if parsed and parsed.units:
            return Clause(stop + 1, parsed.units, parsed.deadline)
    return _inside_first_sentence(orig, folded, rules)


def _unit_label(orig: str, folded: str, rules: Rules) -> Optional[Clause]:
    """An item that begins with the unit it is for, as a label: 市卫生局：负责医院周边… — a list
    of duties by unit.  The unit is responsible, and stays part of the text; the units its duty
    names (负责会同公安、城管部门查处…) are not assigned.

    >>> from parser.rules import load_rules
    >>> s = "各区县政府(地区管委会):落实属地责任,组织城管、公安等部门。"
    >>> c = _unit_label(s, s, load_rules())
    >>> [(u.name, u.role) for u in c.units], (c.start, c.end)
    ([('各区县政府(地区管委会)', 'responsible')], (0, 0))
    >>> _unit_label("全市:完成改造。", "全市:完成改造。", load_rules()) is None
    True
    """
    m = UNIT_LABEL.match(folded)
    if m is None or rules.key_re.match(folded, m.start(1)):
        return None
    names = bare_units(orig[m.start(1):m.end(1)], m.group(1), rules)
    if names is None or len(names.units) != 1:
        return None
    return Clause(0, tuple(dataclasses.replace(u, role="responsible") for u in names.units), rule="unit-label", end=0)


def by_sentences(orig: str, folded: str, rules: Rules) -> Optional[Clause]:
    """The units of sentences that begin by naming who does them: 整改措施：(1)由县环卫站负责更换
    破损垃圾桶。(2)由包片单位县幼儿园负责教育督促商户… — each 由 at a sentence's start.

    >>> from parser.rules import load_rules
    >>> s = "整改措施:(1)由县环卫站负责更换破损垃圾桶。(2)由包片单位县幼儿园负责教育督促商户。"
    >>> [(u.name, u.role) for u in by_sentences(s, s, load_rules()).units]
    [('县环卫站', 'responsible'), ('县幼儿园', 'responsible')]
    """
    units: list[Unit] = []
    first = None
    for m in BY_SENTENCE.finditer(folded):
        s = m.end()
        e = s + len(folded[s:].split("。")[0])
        verb = next(((v, r, k) for k in range(s + 2, min(e, s + rules.max_name_length * 3))
                     for v, r in rules.verbs if folded.startswith(v, k)), None)
        if verb is None:
            continue
        v, role, k = verb
        spans = split_names(folded, s, k, rules)
        names = [(_without_descriptor(orig[a:b], folded[a:b], rules)) for a, b in spans]
        if not names or not all(_plausible_name(f, rules) and _looks_like_unit(f, rules) for _, f in names):
            continue
        units.extend(Unit(clean_name(o, f, rules), role) for o, f in names)
        first = m.start() if first is None else first
    return Clause(first, tuple(units), rule="by-sentence") if units else None


def _without_descriptor(orig: str, folded: str, rules: Rules) -> tuple[str, str]:
    """A name without the descriptor before it: 包片单位县幼儿园 -> 县幼儿园 (the 单位 a list calls it)."""
    m = DESCRIPTOR.match(folded)
    if m and _looks_like_unit(folded[m.end():], rules) and len(folded) - m.end() >= 2:
        return orig[m.end():].strip(), folded[m.end():].strip()
    return orig.strip(), folded.strip()


def _inside_first_sentence(orig: str, folded: str, rules: Rules) -> Optional[Clause]:
    """The clause that ends an item's first sentence, after its subject:
    道路交通安全专项整治，由公安、交通部门负责，有关部门配合。要继续……

    >>> from parser.rules import load_rules
    >>> s = "建筑领域安全专项整治,由建设部门负责,有关部门配合。负责对锅炉的检查。"
    >>> c = _inside_first_sentence(s, s, load_rules())
    >>> [(u.name, u.role) for u in c.units], s[c.start:c.end]
    ([('建设部门', 'responsible'), ('有关部门', 'support')], '由建设部门负责,有关部门配合')
    """
    end = folded.find("。")
    end = len(folded.rstrip(TRAILING)) if end < 0 else end
    for s, _ in _split(folded, 0, end, PHRASE_SEPARATORS)[1:]:
        parsed = parse_clause(orig[s:end], folded[s:end], rules)
        # inside prose, only 由X负责 or a list whose every name looks like a unit: not
        # 明确具体要求、责任科室及完成时限，逐项推动工作落实
        if parsed and parsed.units and (folded.startswith(rules.leading_words, s) or all(
                _looks_like_unit(fold(u.name, rules.fold), rules) for u in parsed.units)):
            return dataclasses.replace(parsed, start=s, end=end, rule="in-sentence")
    return None


def parse_clause(orig: str, folded: str, rules: Rules) -> Optional[Clause]:
    """Units and roles of a clause's content, or None when it is not a clause.

    >>> from parser.rules import load_rules
    >>> r = load_rules()
    >>> [(u.name, u.role) for u in parse_clause("普遍服务处、市场监管处按职责分工负责", "普遍服务处、市场监管处按职责分工负责", r).units]
    [('普遍服务处', 'responsible'), ('市场监管处', 'responsible')]
    >>> c = "牵头单位:商务局;责任单位:交通运输局、各乡镇"
    >>> [(u.name, u.role) for u in parse_clause(c, c, r).units]
    [('商务局', 'lead'), ('交通运输局', 'responsible'), ('各乡镇', 'responsible')]
    >>> parse_clause("由优而信公司负责运营的模式", "由优而信公司负责运营的模式", r) is None
    True
    >>> c = parse_clause("胡春华同志负责,省委办公厅牵头办理", "胡春华同志负责,省委办公厅牵头办理", r)
    >>> [(u.name, u.role) for u in c.units], c.leaders
    ([('省委办公厅', 'lead')], ('胡春华',))
    """
    folded = _round(folded)
    if rules.key_re.search(folded):
        result = _keyed(orig, folded, rules)
    else:
        result = _verbal(orig, folded, rules)
    if result is None:
        return None
    units, deadline, leaders, tail = result
    return Clause(0, tuple(units), deadline, leaders=tuple(leaders), tail=tail)


def bare_units(orig: str, folded: str, rules: Rules) -> Optional[Clause]:
    """A bracket at an item's end that only lists units, with no role word: （市经委、环保局）.
    The document calls them 责任单位, so they are responsible; a rule of low certainty.

    >>> from parser.rules import load_rules
    >>> [u.name for u in bare_units("市经委、环保局", "市经委、环保局", load_rules()).units]
    ['市经委', '环保局']
    >>> bare_units("含市本级", "含市本级", load_rules()) is None
    True
    """
    folded = _round(folded)
    spans = split_names(folded, 0, len(folded), rules)
    names = [(clean_name(orig[s:e], folded[s:e], rules), folded[s:e].strip()) for s, e in spans]
    # with no role word to say so, a place is not a unit: （全市）, （中心城区） name where, not who
    if not names or not all(_plausible_name(f, rules) and _looks_like_unit(f, rules)
                            and (f.startswith(rules.group_starts) or not f.endswith(rules.name_starts))
                            for _, f in names):
        return None
    return Clause(0, tuple(Unit(n, "responsible") for n, _ in names), None, rule="bracket-list")


def clause_line(orig: str, folded: str, rules: Rules) -> Optional[Clause]:
    """A whole line that is only a clause (市发改委牵头落实, （办公室牵头）, 牵头单位：…), or None."""
    folded = _round(folded)
    stripped = folded.strip().rstrip(TRAILING)
    lead = len(folded) - len(folded.lstrip())
    if not stripped or "。" in stripped:
        return None
    if stripped.startswith(OPEN) and stripped.endswith(CLOSE) and _matching_open(stripped, len(stripped) - 1) == 0:
        inner = slice(lead + 1, lead + len(stripped) - 1)
        return parse_clause(orig[inner], folded[inner], rules)
    span = slice(lead, lead + len(stripped))
    m = rules.key_re.match(folded, lead)
    if m or len(stripped) <= 80:
        return parse_clause(orig[span], folded[span], rules)
    return None


# --- the two clause shapes -------------------------------------------------------------------

def _keyed(orig: str, folded: str, rules: Rules):
    """牵头单位：A；责任单位：B、C；完成时限：6月底前"""
    keys = list(rules.key_re.finditer(folded))
    if not keys or folded[:keys[0].start()].strip(" (" + PHRASE_SEPARATORS):
        return None
    if _unclosed_before(folded, keys[0].start()):
        return None
    units: list[Unit] = []
    leaders: list[str] = []
    deadline = None
    tail: Optional[int] = None
    for i, m in enumerate(keys):
        key = m.group("key")
        if key in rules.stop_keys:
            tail = None        # a report follows (实际完成情况：…): the fields end before it
            break
        vstart = m.end()
        vend = keys[i + 1].start() if i + 1 < len(keys) else len(folded)
        value = folded[vstart:vend]
        # a value ends at a run of spaces (a flattened table may follow it) or a closing bracket
        lstripped = len(value) - len(value.lstrip())
        stop = len(value)
        for j in range(lstripped, len(value)):
            if value[j] in " \t\n" or (value[j] == CLOSE and _depth(value[lstripped:j + 1]) < 0):
                stop = j
                break
        vs, ve = vstart + lstripped, vstart + stop
        tail = ve if folded[ve:vend].strip() else None
        if key in rules.deadline_keys:
            deadline = orig[vs:ve].strip(TRAILING) or None
            continue
        if rules.is_person_key(key):
            leaders.extend(orig[a:b].strip() for a, b in split_names(folded, vs, ve, rules))
            continue
        if key.endswith(rules.clause_heads):
            # 部门分工：A牵头，B配合 — the value says the roles itself
            said = _verbal(orig[vs:vend].rstrip(TRAILING), folded[vs:vend].rstrip(TRAILING), rules)
            if said:
                units.extend(said[0])
                deadline = deadline or said[1]
                leaders.extend(said[2])
                tail = None
            continue
        role = rules.label_role(key)
        # a label names units (责任单位：); a role word alone (牵头：) only where what follows
        # looks like units
        bare = rules.label_re.fullmatch(key) is None
        for s, e in split_names(folded, vs, ve, rules):
            name, marked = _inline_role(orig[s:e], folded[s:e], rules)
            if len(name) < 2 or bare and not _looks_like_unit(fold(name, rules.fold), rules):
                continue            # 责任单位:区 is a line cut short, not a unit
            units.append(Unit(name, marked or role))
    return units, deadline, leaders, tail


def _verbal(orig: str, folded: str, rules: Rules):
    """A牵头，B、C按职责分工负责 — every phrase must end with a role verb."""
    units: list[Unit] = []
    leaders: list[str] = []
    deadline = None
    pending_start = None
    named_like_unit = False
    for s, e in _split(folded, 0, len(folded), PHRASE_SEPARATORS):
        s = pending_start if pending_start is not None else s
        phrase = folded[s:e].rstrip()
        verb = next(((v, r) for v, r in rules.verbs if phrase.endswith(v)), None)
        if verb is None and pending_start is None and units and find_deadlines(phrase, rules, None):
            deadline = orig[s:e].strip()   # （市发改委牵头，2022年6月底前完成）
            continue
        if verb is None and pending_start is None and units and any(w in phrase for w in rules.note_words):
            continue                       # （由卫健委负责，下同）: a note, not more units
        if verb is None:
            pending_start = s  # a list broken by a comma: 各县区，功能板块负责
            continue
        pending_start = None
        names_end = s + len(phrase) - len(verb[0])
        for w in rules.leading_words:
            if folded.startswith(w, s):
                s += len(w)
                break
        spans = split_names(folded, s, names_end, rules)
        if not spans:
            return None
        # 胡春华、庹震同志负责: persons in charge, not units (同志 closes the list of them)
        persons = folded[s:names_end].rstrip().endswith(rules.person_suffixes)
        for ns, ne in spans:
            name = clean_name(orig[ns:ne], folded[ns:ne], rules)
            fname = folded[ns:ne].strip()
            if not _plausible_name(fname, rules):
                return None
            if persons:
                for suffix in rules.person_suffixes:
                    name = name[:-len(suffix)] if name.endswith(suffix) else name
                leaders.append(name.strip())
                continue
            named_like_unit |= _looks_like_unit(fname, rules)
            units.append(Unit(name, verb[1]))
    if pending_start is not None or not units or not named_like_unit:
        return None
    return units, deadline, leaders, None


# --- names -----------------------------------------------------------------------------------

def split_names(folded: str, start: int, end: int, rules: Rules) -> list[tuple[int, int]]:
    """Spans of the unit names in folded[start:end], split at 、 , ; and at 和/及 between units.

    >>> from parser.rules import load_rules
    >>> r = load_rules()
    >>> s = "市住房和城乡建设局、各县(市、区)政府和市财政局"
    >>> [s[a:b] for a, b in split_names(s, 0, len(s), r)]
    ['市住房和城乡建设局', '各县(市、区)政府', '市财政局']
    """
    spans = []
    for s, e in _split(folded, start, end, rules.unit_separators + " \t\n"):
        spans.extend(_split_conjunctions(folded, s, e, rules))
    out = []
    for s, e in spans:
        while s < e and folded[s] in " \t(": 
            if folded[s] == "(" and _matching_close(folded, s, e) is not None:
                break
            s += 1
        while e > s and folded[e - 1] in " \t。.)" and not (folded[e - 1] == ")" and _depth(folded[s:e]) == 0):
            e -= 1
        if e > s:
            if out and _shares_organ(folded[out[-1][0]:out[-1][1]], folded[s:e], rules):
                out[-1] = (out[-1][0], e)
                continue
            out.append((s, e))
    return out


def _shares_organ(prev: str, name: str, rules: Rules) -> bool:
    """各市(县)、区政府: a group of places with no organ, then a place with the organ they share.

    >>> from parser.rules import load_rules
    >>> _shares_organ("各市(县)", "区政府", load_rules()), _shares_organ("各部门", "区政府", load_rules())
    (True, False)
    """
    places = prev.replace("(", "").replace(")", "")
    return prev.startswith(rules.group_starts) and places.endswith(rules.name_starts) \
        and name.startswith(rules.name_starts) and name[1:] in rules.shared_organs


def _split_conjunctions(folded: str, s: int, e: int, rules: Rules) -> list[tuple[int, int]]:
    for conj in rules.conjunctions:
        i = folded.find(conj, s, e)
        while i > s:
            left = folded[s:i]
            if _depth(left) == 0 and _looks_like_unit(left, rules) and i + len(conj) < e:
                return [(s, i)] + _split_conjunctions(folded, i + len(conj), e, rules)
            i = folded.find(conj, i + 1, e)
    return [(s, e)]


def _inline_role(orig: str, folded: str, rules: Rules):
    """市发展改革委（牵头） -> ('市发展改革委', 'lead'); a note in brackets is dropped.

    >>> from parser.rules import load_rules
    >>> _inline_role("县发改局(首位单位为牵头单位,下同)", "县发改局(首位单位为牵头单位,下同)", load_rules())
    ('县发改局', None)
    """
    name, fname = orig.strip(), folded.strip()
    if fname.endswith(CLOSE):
        start = _matching_open(fname, len(fname) - 1)
        if start:
            inner = fname[start + 1:-1].strip()
            role = rules.label_role(inner)
            if role:
                return clean_name(name[:start], fname[:start], rules), role
            if any(w in inner for w in rules.note_words):
                return clean_name(name[:start], fname[:start], rules), None
    return clean_name(name, fname, rules), None


def clean_name(orig: str, folded: str, rules: Rules) -> str:
    """A unit's name without what a list adds after it: 市市政公用局等部门 -> 市市政公用局.

    >>> from parser.rules import load_rules
    >>> clean_name("农业局等", "农业局等", load_rules())
    '农业局'
    """
    name, fname = orig.strip(), folded.strip()
    for w in rules.trailing_words:
        if fname.endswith(w) and len(fname) - len(w) >= 2:
            return name[:len(name) - len(w)].strip()
    return name


def _looks_like_unit(name: str, rules: Rules) -> bool:
    name = name.strip()
    return name.endswith(rules.unit_suffixes) or name.startswith(rules.group_starts)


def _plausible_name(name: str, rules: Rules) -> bool:
    return 2 <= len(name) <= rules.max_name_length and not any(ch in name for ch in "。:“”《》")


# --- brackets --------------------------------------------------------------------------------

def _split(text: str, start: int, end: int, seps: str) -> list[tuple[int, int]]:
    """Split text[start:end] at any of seps outside brackets."""
    out, depth, s = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch == OPEN:
            depth += 1
        elif ch == CLOSE:
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            if i > s:
                out.append((s, i))
            s = i + 1
    if end > s:
        out.append((s, end))
    return out


def _round(folded: str) -> str:
    """Square and lenticular brackets as round ones (same length), for the clause rules."""
    return folded.translate(SQUARE) if "[" in folded or "【" in folded else folded


def _unclosed_before(folded: str, pos: int) -> bool:
    """(牵头单位:广州供电局;配合单 — a bracket opened before pos and never closed: the clause
    in it is cut off (by the end of the excerpt), not a clause to read."""
    return _depth(folded[:pos]) > 0 and _depth(folded) > 0


def _depth(text: str) -> int:
    return text.count(OPEN) - text.count(CLOSE)


def _matching_open(text: str, close: int) -> Optional[int]:
    depth = 0
    for i in range(close, -1, -1):
        if text[i] == CLOSE:
            depth += 1
        elif text[i] == OPEN:
            depth -= 1
            if depth == 0:
                return i
    return None


def _matching_close(text: str, open_: int, end: int) -> Optional[int]:
    depth = 0
    for i in range(open_, end):
        if text[i] == OPEN:
            depth += 1
        elif text[i] == CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return None
