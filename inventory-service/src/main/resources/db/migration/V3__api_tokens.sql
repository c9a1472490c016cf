-- API tokens (issue 16): people and tools authenticate to the entry point with one of these, or
-- with the bootstrap token of state/api-token (always admin, not stored here). Only the token's
-- SHA-256 is kept; the token itself is shown once, when it is created.
create table api_token (
    id            varchar(32)  primary key,
    name          varchar(100) not null,
    role          varchar(16)  not null check (role in ('viewer', 'admin')),
    secret_sha256 char(64)     not null unique,
    created_at    timestamptz  not null,
    created_by    varchar(100) not null,
    revoked_at    timestamptz,
    revoked_by    varchar(100)
);
