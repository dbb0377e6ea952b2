"""What a privacy run did, as counts: the base of erasure's and retention's summaries."""

from dataclasses import asdict, dataclass
from typing import ClassVar


@dataclass
class Summary:
    """A run's outcome; its dataclass fields are counts, except those named in ``NOT_COUNTED``.

    The counts go into the run's audit entry and a command's output, so both
    runs say what they did the same way."""

    NOT_COUNTED: ClassVar[tuple[str, ...]] = ()

    def counts(self) -> dict:
        data = asdict(self)
        for key in self.NOT_COUNTED:
            data.pop(key)
        return data

    def counts_text(self) -> str:
        """The counts as ``name: n, …`` for a log line or a command's output."""
        return ", ".join(f"{k.replace('_', ' ')}: {int(v)}" for k, v in self.counts().items())
