"""Exceptions.  Only cli.py turns them into messages and exit codes."""


class PlandocError(Exception):
    """Base of every error plandoc raises on purpose."""


class SourceError(PlandocError):
    """An input that cannot be used: missing, empty, binary, corrupt or of an unknown kind."""


class RuleFileError(PlandocError):
    """A rule data file (parser/data) or a profile is malformed."""

    def __init__(self, path: str, key: str, message: str):
        self.path, self.key, self.message = path, key, message
        super().__init__(f"{path}: {key}: {message}")

    def __reduce__(self):       # rebuilt from its parts when it crosses from a build process
        return type(self), (self.path, self.key, self.message)
