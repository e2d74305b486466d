"""Errors of making documents.  Only cli.py turns them into messages and exit codes."""
from parser.errors import PlandocError


class TemplateError(PlandocError):
    """A document template cannot be read or rendered; names the template file and line."""

    def __init__(self, template: str, line: int | None, message: str):
        self.template, self.line, self.message = template, line, message
        where = f"{template}:{line}" if line else template
        super().__init__(f"template {where}: {message}")

    def __reduce__(self):
        return type(self), (self.template, self.line, self.message)


class TemplateLimitError(TemplateError):
    """A template asks for more than the sandbox gives (range, repetition, power, memory, time):
    an input that cannot be used, exit 2, as an input past a size limit is."""


class FontError(PlandocError):
    """The fonts a PDF needs are not installed."""
