"""Team mode: the shared part of several leaders' work, on PostgreSQL.

Each leader's app stays local-first; what the team shares (claims on questions, sent
replies, insights, hand-offs) goes through a durable local queue
(:mod:`cxdaily.store.team_queue`) and is applied to the team database by a background
flusher (:mod:`cxdaily.team.link`). The modules:

- :mod:`~cxdaily.team.writes`: one team write (claim, release, sent, insight, hand-off);
- :mod:`~cxdaily.team.migrate`: the numbered SQL migrations and their runner;
- :mod:`~cxdaily.team.database`: connecting, and every statement team mode runs;
- :mod:`~cxdaily.team.link`: the flusher thread and the link's state for the header;
- :mod:`~cxdaily.team.company`: the company digest across leaders;
- :mod:`~cxdaily.team.setup_sql`: the SQL an administrator runs once (``team init``).

Only this package imports the PostgreSQL driver, and only when ``[team]`` is configured:
importing this package alone loads nothing of it.
"""
