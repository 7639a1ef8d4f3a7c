-- One place only (LAW.md §3 [N?, P]) keyed on the term, not on the round label an operator typed
-- (issue 16 item 1): a community's regular election, its re-runs and by-elections share the
-- term in which their election day falls (LAW.md §1 [N]: 5-year terms; §12: the synchronised
-- terms began in 2021), written `term-<first year>` (law::timetable::term_of). Existing claims
-- are re-keyed; where two elections of one term claimed the same person, the earlier keeps it.
INSERT INTO round_registrations (round, id_number, election_id)
SELECT 'term-' || CAST(2021 + 5 * ((CAST(substr(e.election_day, 1, 4) AS INTEGER) - 2021) / 5) AS TEXT),
       r.id_number, r.election_id
FROM round_registrations r JOIN elections e ON e.id = r.election_id
WHERE r.round NOT LIKE 'term-%'
ORDER BY r.election_id
ON CONFLICT DO NOTHING;
DELETE FROM round_registrations WHERE round NOT LIKE 'term-%';
