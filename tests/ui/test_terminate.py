"""Asked to end (SIGTERM), the app quits as ``ctrl+q`` does: the session's end is
recorded, and ``cxdaily`` gives the terminal back and exits with 143."""

from __future__ import annotations

from cxdaily.service import Service
from cxdaily.ui.app import TERMINATED
from tests.ui.pilot_kit import SMALL, begin, make_app


async def test_a_terminated_app_records_the_session_s_end(service: Service) -> None:
    app, _ = make_app(service)
    async with app.run_test(size=SMALL) as pilot:
        screen = await begin(app, pilot)
        session_id = screen.session.id
        assert service.store.activity.session(session_id).ended_at is None  # type: ignore[union-attr]
        app.terminate()
        await pilot.pause(0.2)
    assert app.terminated and TERMINATED == 143
    ended = service.store.activity.session(session_id)
    assert ended is not None and ended.ended_at is not None
