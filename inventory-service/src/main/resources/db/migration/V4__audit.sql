-- Audit trail (issue 16): every write through the entry point with a known caller — machines,
-- tokens, and the image/disk/profile writes it forwards — whatever its outcome. A write without a
-- valid token (401) has no caller to record and is not stored (counted in
-- chainboot_inventory_api_unauthorized_total instead), so anonymous requests cannot fill the table.
create table audit_entry (
    id          bigserial    primary key,
    at          timestamptz  not null,
    token_id    varchar(32)  not null,          -- 'bootstrap' for state/api-token
    token_name  varchar(100) not null,
    role        varchar(16)  not null,
    method      varchar(10)  not null,
    path        varchar(2048) not null,          -- normalized, with the query
    entity_kind varchar(16)  not null,           -- machine | token | image | disk | profile | api
    entity_id   varchar(256),                    -- the MAC, token id, image name; null for a collection
    status      integer      not null,
    outcome     varchar(8)   not null check (outcome in ('done', 'refused', 'failed'))
);
create index audit_entry_entity on audit_entry (entity_kind, entity_id, id);
create index audit_entry_at on audit_entry (at);
