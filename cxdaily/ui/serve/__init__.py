"""Serving the app in a browser tab (``cxdaily serve``): textual-serve behind a guard.

:mod:`~cxdaily.ui.serve.access` holds the rules (loopback, origin, token),
:mod:`~cxdaily.ui.serve.pages` the refusal pages, :mod:`~cxdaily.ui.serve.app_page` the
terminal's page as the browser gets it (nothing from another site) and
:mod:`~cxdaily.ui.serve.server` the server itself. Only this package imports textual-serve
and aiohttp.
"""
