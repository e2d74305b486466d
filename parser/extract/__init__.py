"""Pure extractors: each takes folded text (for matching) and the original (for output) plus Rules."""
