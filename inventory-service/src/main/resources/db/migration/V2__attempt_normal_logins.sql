-- The fold state an attempt needs beyond what it shows, so a batch that only extends a machine's
-- timeline is folded from its latest attempt instead of its stored events. Null on attempts stored
-- before this: those machines are re-folded once from their events, which fills it in.
alter table boot_attempt add column normal_logins integer;

-- the ingest reads each batch machine's latest attempt
create index boot_attempt_latest on boot_attempt (mac) where latest;
