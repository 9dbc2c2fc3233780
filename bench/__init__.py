"""``make bench``: Sokoni under load on PostgreSQL, Redis and gunicorn, with its speed targets.

Every target is a ratio to a baseline measured in the same run (``GET /api/health/``),
because absolute numbers on a shared machine say more about the neighbours than about
the code. See ``bench/run.py`` for the flow and README.md ("Performance") for results.
"""
