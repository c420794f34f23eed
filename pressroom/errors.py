"""Errors are values: each one knows where it happened, so all of them can be reported at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class SiteError:
    """A problem in the user's files, shown as `path:line: message`.

    The same value serves for warnings: problems worth fixing that do not stop the build,
    shown as `path:line: warning: message`."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class BuildFailed(Exception):
    """Raised at a stage boundary when the errors collected so far make going on pointless.

    Warnings found before that point travel along, so the user sees them too."""

    def __init__(self, errors: list[SiteError], warnings: Iterable[SiteError] = ()):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(set(errors), key=_sort_key)
        self.warnings = sorted_problems(warnings)


def sorted_problems(problems: Iterable[SiteError]) -> tuple[SiteError, ...]:
    """Each problem once, in file and line order."""
    return tuple(sorted(set(problems), key=_sort_key))


def _sort_key(error: SiteError) -> tuple:
    return (error.path, error.line or 0, error.message)


class UsageError(Exception):
    """The command was given something it cannot use (exit status 2); the text says what to type."""
