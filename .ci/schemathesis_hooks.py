"""Schemathesis hooks for Huanjie's CI (issue 17): a check that a request refused with 4xx left
the database unchanged. Row counts of every table are taken before each call and compared after
a 4xx answer; the tables that count refusals (sign-in throttling, rate limits) are the exception.
Runs with one worker, so before/after belong to the same request."""

import os
import sqlite3

import schemathesis

DB = os.environ["HUANJIE_ST_DB"]
# Rows whose whole purpose is to count refused requests (LAW.md does not apply: these are the
# service's own abuse limits, issue 12).
COUNTING_REFUSALS = {"login_throttle", "rate_limits", "login_pending"}
_before = {}


def _counts():
    con = sqlite3.connect(f"file:{DB}?mode=ro", uri=True, timeout=10)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in tables
            if t not in COUNTING_REFUSALS and not t.startswith(("sqlite_", "_sqlx"))
        }
    finally:
        con.close()


@schemathesis.hook
def before_call(context, case, kwargs):
    _before[id(case)] = _counts()


@schemathesis.check
def refused_changes_nothing(ctx, response, case):
    """A request refused with 4xx changes no row count."""
    before = _before.pop(id(case), None)
    if before is None or not 400 <= response.status_code < 500:
        return None
    after = _counts()
    changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
    if changed:
        raise AssertionError(f"refused with {response.status_code} but rows changed: {changed}")
    return None
