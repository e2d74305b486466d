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


class TemplateError(PlandocError):
    """A document template cannot be read or rendered; names the template file and line."""

    def __init__(self, template: str, line: int | None, message: str):
        self.template, self.line, self.message = template, line, message
        where = f"{template}:{line}" if line else template
        super().__init__(f"template {where}: {message}")

    def __reduce__(self):
        return type(self), (self.template, self.line, self.message)


class FontError(PlandocError):
    """The fonts a PDF needs are not installed."""
