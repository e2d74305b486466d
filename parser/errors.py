"""Exceptions.  Only cli.py turns them into messages and exit codes."""


class PlandocError(Exception):
    """Base of every error plandoc raises on purpose."""


class SourceError(PlandocError):
    """An input that cannot be used: missing, empty, binary, corrupt or of an unknown kind."""


class RuleFileError(PlandocError):
    """A rule data file (parser/data) or a profile is malformed."""

    def __init__(self, path: str, key: str, message: str):
        self.path, self.key = path, key
        super().__init__(f"{path}: {key}: {message}")
