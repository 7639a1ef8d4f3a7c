"""Schemathesis hooks for Huanjie's CI (issue 17): a check that a request refused with 4xx left
the database unchanged. Row counts of every table are taken before each call and compared after
a 4xx answer; the tables that count refusals (sign-in throttling, rate limits) are the exception.
Runs with one worker, so before/after belong to the same request."""

import json
import os
import sqlite3

import schemathesis

DB = os.environ["HUANJIE_ST_DB"]
# Rows whose whole purpose is to count refused requests (LAW.md does not apply: these are the
# service's own abuse limits, issue 12).
COUNTING_REFUSALS = {"login_throttle", "rate_limits", "login_pending"}
# A refused sign-in is itself an attempt: it is logged (LAW.md does not name it; README's threat
# model does) with the checkpoint that signs it. Those rows are the exception too, and only those.
ATTEMPT_EVENTS = {"session.login_failed", "log.checkpoint"}
LOG_TABLES = {"audit_entries", "checkpoints", "cosignatures", "audit_heads"}
_before = {}


def _new_events(con, last):
    rows = con.execute("SELECT leaf FROM audit_entries WHERE rowid > ?", (last,)).fetchall()
    return {json.loads(bytes(r[0]).decode()).get("type") for r in rows}


def _counts(last=None):
    """Row counts per table, and the last audit rowid; with `last`, the log's tables are left out
    when every entry since `last` is an attempt's."""
    con = sqlite3.connect(f"file:{DB}?mode=ro", uri=True, timeout=10)
    try:
        skip = set(COUNTING_REFUSALS)
        if last is not None and _new_events(con, last) <= ATTEMPT_EVENTS:
            skip |= LOG_TABLES
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {
            t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in tables
            if t not in skip and not t.startswith(("sqlite_", "_sqlx"))
        }
        top = con.execute("SELECT COALESCE(MAX(rowid), 0) FROM audit_entries").fetchone()[0]
        return counts, top
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
    counts, last = before
    after, _ = _counts(last)
    changed = {t: (counts.get(t), n) for t, n in after.items() if counts.get(t) != n}
    if changed:
        raise AssertionError(f"refused with {response.status_code} but rows changed: {changed}")
    return None
