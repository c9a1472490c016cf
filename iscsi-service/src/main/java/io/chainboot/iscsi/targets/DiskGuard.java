package io.chainboot.iscsi.targets;

import io.chainboot.events.MacAddress;

import java.io.IOException;

/**
 * Runs a change to a machine's disk files (restore a snapshot, delete) while no target serves the old
 * ones. The {@link TargetRegistry} closes a disk it opened ahead of a login, and refuses while an
 * initiator is logged in (the OS would see its disk change under it).
 */
public interface DiskGuard {
    /** A change to the files of a machine's disk. */
    @FunctionalInterface
    interface Change<T> {
        T run() throws IOException;
    }

    <T> T whileClosed(MacAddress mac, Change<T> change) throws IOException;

    /** No target involved (tools, tests): the change just runs. */
    DiskGuard NONE = new DiskGuard() {
        @Override
        public <T> T whileClosed(MacAddress mac, Change<T> change) throws IOException {
            return change.run();
        }
    };
}
