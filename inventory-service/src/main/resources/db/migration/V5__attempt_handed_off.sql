-- An attempt whose last script attaches no SAN (script.rendered attachesSan=false: a kernel or installer
-- over HTTP, the local disk, a menu) is handed off at SCRIPT: the stall detector leaves it alone.
-- Null on attempts stored before this: not handed off.
alter table boot_attempt add column handed_off boolean;
