"""What a sync did: the issues it opened, commented on, reopened and closed, and the
lines a reader should see. The library fills it; ``datapedia.cli`` prints the notes
(as they come, through ``listener``) and maps the result to an exit code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    """One line for the reader: what happened (or would happen) to an issue, or a warning."""

    text: str
    warning: bool = False


@dataclass
class SyncResult:
    opened: list[int] = field(default_factory=list)
    commented: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    # Failing datasets left alone on purpose: a first failure, a muted or hand-closed issue.
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stopped: str | None = None
    # Some fiche, diagnosis or summary could not be read: the sync ran on the rest.
    unreadable: bool = False
    dry_run: bool = False
    notes: list[Note] = field(default_factory=list)
    listener: Callable[[Note], None] | None = field(default=None, repr=False, compare=False)

    def tell(self, text: str, warning: bool = False) -> None:
        note = Note(text, warning)
        self.notes.append(note)
        if self.listener is not None:
            self.listener(note)

    @property
    def warnings(self) -> list[str]:
        return [note.text for note in self.notes if note.warning]

    @property
    def complete(self) -> bool:
        """Nothing failed, nothing was left for the next night, every input was read."""
        return not (self.errors or self.stopped or self.unreadable)
