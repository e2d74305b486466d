"""plandoc, the application: from a parsed plan (the `parser` library) to every unit's letter,
checklist and the office's overview, and the `plandoc` command."""
__version__ = "0.2.0"
