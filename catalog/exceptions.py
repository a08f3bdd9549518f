"""Exceptions raised by the catalogue.

The hierarchy::

    CatalogError                  anything the catalogue raises on purpose
    ├── ConfigError               settings that cannot be loaded or make no sense
    ├── InputError                input from outside that the catalogue refuses (a user's mistake)
    │   ├── FeedError             a whole feed/document cannot be read: malformed syntax, empty,
    │   │                         hostile XML (entities, DTDs), remote JSON-LD contexts, too large
    │   └── RecordError           one record is invalid; the others go on (reason + remote id)
    ├── RecordSkipped             a record that is deliberately not stored (no identifier, not a
    │                             dataset ...): counted as skipped, which is not failed
    └── StoreError                the metadata store refuses an operation
        └── NotFound              no such dataset, source ...

A user mistake is always an ``InputError`` subclass with a message fit to show on one line.
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "ConfigError",
    "FeedError",
    "InputError",
    "NotFound",
    "RecordError",
    "RecordSkipped",
    "StoreError",
]


class CatalogError(Exception):
    """Base of every exception the catalogue raises on purpose."""


class ConfigError(CatalogError):
    """The settings cannot be loaded or are inconsistent."""


class InputError(CatalogError):
    """Input from outside that the catalogue refuses; the message is fit for a user."""


class FeedError(InputError):
    """A whole feed or document cannot be read."""


class RecordError(InputError):
    """One record is invalid; processing of the other records goes on."""

    def __init__(self, message: str, *, remote_id: str | None = None) -> None:
        super().__init__(message)
        self.remote_id = remote_id


class RecordSkipped(CatalogError):
    """A record deliberately not stored (e.g. it has no identifier); counted, not failed."""

    def __init__(self, message: str, *, remote_id: str | None = None) -> None:
        super().__init__(message)
        self.remote_id = remote_id


class StoreError(CatalogError):
    """The metadata store refuses an operation."""


class NotFound(StoreError):
    """The requested object does not exist."""
