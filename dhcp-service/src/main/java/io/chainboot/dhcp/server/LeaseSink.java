package io.chainboot.dhcp.server;

/** Receives lease table changes for {@code chainboot.leases}. Must not block. */
public interface LeaseSink {
    LeaseSink NONE = change -> { };

    void accept(Reply.LeaseChange change);
}
