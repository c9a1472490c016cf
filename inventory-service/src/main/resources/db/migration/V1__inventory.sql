-- inventory-service schema (Flyway). Times are timestamptz, MACs canonical text (52:54:00:12:34:56).

create table machine (
    mac          varchar(17) primary key,
    spec         text        not null,          -- MachineSpec JSON, exactly what goes to chainboot.machines
    hostname     varchar(63),
    profile      varchar(128),
    uuid         varchar(64),
    arch         integer,
    vendor_class varchar(255),
    last_ip      varchar(15),
    origin       varchar(16) not null,          -- discovered | api | file
    first_seen   timestamptz not null,
    last_seen    timestamptz not null,
    updated_at   timestamptz not null
);

-- every consumed event once: the primary key is the event id (idempotent consumer)
create table boot_event (
    id          uuid primary key,
    seq         bigserial   not null,
    mac         varchar(17),                    -- null while an IP-keyed event is not correlated yet
    ip          varchar(15),
    type        varchar(40) not null,
    time        timestamptz not null,
    source      varchar(255) not null,
    payload     text        not null,
    received_at timestamptz not null default now()
);
create index boot_event_mac_time on boot_event (mac, time);
create index boot_event_uncorrelated on boot_event (ip) where mac is null;

-- latest DHCP lease seen per IP (from dhcp events), to correlate events that only carry an IP
create table lease_seen (
    ip   varchar(15) primary key,
    mac  varchar(17) not null,
    time timestamptz not null
);

create table boot_attempt (
    id            uuid primary key,               -- id of the event that started the attempt
    mac           varchar(17) not null,
    started_at    timestamptz not null,
    stage         varchar(20) not null,
    stage_since   timestamptz not null,
    progress      varchar(20) not null,
    reason        text,
    profile       varchar(128),
    reached       text        not null,           -- JSON {stage: time}
    boot_millis   bigint,                         -- start → OS_RUNNING
    latest        boolean     not null
);
create index boot_attempt_mac on boot_attempt (mac, started_at);
create index boot_attempt_open on boot_attempt (stage, stage_since) where latest;

-- transactional outbox for the compacted chainboot.machines topic (payload null = tombstone)
create table outbox (
    id         bigserial primary key,
    topic      varchar(100) not null,
    msg_key    varchar(100) not null,
    payload    bytea,
    created_at timestamptz not null default now(),
    sent_at    timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;
