"""The insight digests of the service (built by :mod:`cxdaily.insights`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdaily.service.context import ServiceContext

if TYPE_CHECKING:  # the digest modules load on first use, not at start-up
    from cxdaily.insights.build import Digest
    from cxdaily.insights.source import DigestRequest


class Digests:
    """Builds digests from the stored insights."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def digest(self, request: DigestRequest) -> Digest:
        """The insight digest of a period (see :mod:`cxdaily.insights`)."""
        from cxdaily.insights.source import collect_digest

        context = self._context
        return collect_digest(
            context.store, context.settings, request, context.now(), lock=context.lock
        )
