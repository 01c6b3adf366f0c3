"""Screens and widgets reach the service through one typed accessor."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Static

from cxdaily.service import Service
from cxdaily.ui.app import CxDailyApp, cxdaily_app, service_of
from tests.ui.pilot_kit import SMALL, wait_for_start


async def test_service_of_gives_the_apps_service_to_its_screens(service: Service) -> None:
    app = CxDailyApp(service)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_start(app, pilot)
        assert app.service is service
        assert service_of(app.screen) is service
        assert cxdaily_app(app.screen) is app


async def test_service_of_refuses_a_node_outside_the_cxdaily_app() -> None:
    class Other(App[None]):
        def compose(self):
            yield Static("elsewhere", id="other")

    async with Other().run_test() as pilot:
        with pytest.raises(TypeError, match="outside the cxdaily app"):
            service_of(pilot.app.query_one("#other"))
