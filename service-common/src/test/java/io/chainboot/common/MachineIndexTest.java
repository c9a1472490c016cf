package io.chainboot.common;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MachineIndexTest {
    private static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    private final MachineIndex index = new MachineIndex();

    private static MachineSpec spec(MacAddress mac, String uuid, String reservedIp) {
        return new MachineSpec(mac, uuid, null, reservedIp == null ? null : Ipv4Address.parse(reservedIp), null,
                Map.of(), Map.of(), null, MachineSpec.ChapPolicy.NONE, true, null, Instant.EPOCH);
    }

    @Test
    void findsASpecByMacUuidAndReservedAddress() {
        index.put(spec(A, "0A1B-UUID", "10.0.0.5"));
        assertThat(index.byMac(A)).map(MachineSpec::mac).contains(A);
        assertThat(index.byUuid("0a1b-uuid")).map(MachineSpec::mac).contains(A);
        assertThat(index.reservedBy(Ipv4Address.parse("10.0.0.5"))).contains(A);
        assertThat(index.reservedBy(Ipv4Address.parse("10.0.0.6"))).isEmpty();
        assertThat(index.byUuid(null)).isEmpty();
        assertThat(index.all()).hasSize(1);
    }

    @Test
    void aChangedSpecDropsTheUuidAndAddressItNoLongerHas() {
        index.put(spec(A, "old", "10.0.0.5"));
        index.put(spec(A, "new", "10.0.0.7"));
        assertThat(index.byUuid("old")).isEmpty();
        assertThat(index.reservedBy(Ipv4Address.parse("10.0.0.5"))).isEmpty();
        assertThat(index.byUuid("NEW")).map(MachineSpec::mac).contains(A);
        assertThat(index.reservedBy(Ipv4Address.parse("10.0.0.7"))).contains(A);
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void aDeletedSpecLeavesNothingBehindButAnotherMachinesClaimStays() {
        index.put(spec(A, "shared", "10.0.0.5"));
        index.put(spec(B, "shared", "10.0.0.5"));
        index.remove(A);
        assertThat(index.byMac(A)).isEmpty();
        assertThat(index.byUuid("shared")).map(MachineSpec::mac).contains(B);
        assertThat(index.reservedBy(Ipv4Address.parse("10.0.0.5"))).contains(B);
        index.remove(B);
        assertThat(index.byUuid("shared")).isEmpty();
        assertThat(index.reservedBy(Ipv4Address.parse("10.0.0.5"))).isEmpty();
        assertThat(index.all()).isEmpty();
    }

    @Test
    void countsChangesSoAReaderCanSkipWhenNothingMoved() {
        long start = index.changes();
        index.put(spec(A, null, null));
        index.remove(B);
        assertThat(index.changes()).isEqualTo(start + 1);
        index.remove(A);
        assertThat(index.changes()).isEqualTo(start + 2);
    }

    @Test
    void allIsALiveViewNotACopy() {
        var all = index.all();
        index.put(spec(A, null, null));
        assertThat(all).hasSize(1);
    }
}
