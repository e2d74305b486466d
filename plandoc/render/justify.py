"""Justified Chinese text in WeasyPrint.

WeasyPrint justifies a line by widening its spaces, and a line of Chinese has none: with
`text-align: justify` its lines still end anywhere up to two characters short of the right
edge (where a closing mark may not start the next line, or a number may not be split).
Chinese typesetting (CLREQ 3.7, JLREQ 3.8) spreads that space evenly between the characters
instead.  `install()` makes WeasyPrint do so for a line without spaces; a line with spaces is
justified as before, by its spaces.

It replaces one function of WeasyPrint's layout (`justify_line`, called for every line of a
justified paragraph but its last).  Should a WeasyPrint release change what that function
takes, `install()` leaves WeasyPrint as it is: lines are then ragged again, which the tests
measure.
"""
from __future__ import annotations

import inspect

_ORIGINAL = None


def install() -> bool:
    """Spread justification over the characters of lines without spaces.  True when in place."""
    global _ORIGINAL
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout import inline
        from weasyprint.text.line_break import create_layout
    except ImportError:
        return False
    if _ORIGINAL is not None:
        return True
    original = getattr(inline, "justify_line", None)
    if original is None or list(inspect.signature(original).parameters) != ["context", "line", "extra_width"] \
            or not hasattr(inline, "count_expandable_spaces"):
        return False

    def justify_line(context, line, extra_width):
        if inline.count_expandable_spaces(line) or extra_width <= 0:
            return original(context, line, extra_width)
        chars = _characters(line, boxes)
        if chars < 2:
            return None
        # the spacing goes after every character, the last one's too (past its glyph, where it
        # shows nothing): the line's last character ends a fraction of a point before the edge
        spacing = extra_width / chars
        _spread(context, line, spacing, 0.0, boxes, create_layout)
        return None

    _ORIGINAL = original
    inline.justify_line = justify_line
    return True


def _characters(box, boxes) -> int:
    if isinstance(box, boxes.TextBox):
        return len(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(_characters(child, boxes) for child in box.children if child.is_in_normal_flow())
    return 0


def _spread(context, box, spacing: float, x_advance: float, boxes, create_layout) -> float:
    """Widen each text box of the line by `spacing` a character, moving what follows along."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        style = box.style.copy()
        base = style["letter_spacing"]
        style["letter_spacing"] = (0 if base == "normal" else base) + spacing
        box.style = style
        layout = create_layout(box.text, style, context, max_width=None, justification_spacing=0)
        layout.deactivate()
        box.pango_layout = layout
        extra = spacing * len(box.text)
        box.width += extra
        return x_advance + extra
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, spacing, x_advance, boxes, create_layout)
        box.width += x_advance - before
        return x_advance
    box.translate(x_advance, 0)         # an inline image or block: moved, not widened
    return x_advance
