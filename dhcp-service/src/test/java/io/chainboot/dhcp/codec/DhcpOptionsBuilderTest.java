package io.chainboot.dhcp.codec;

import io.chainboot.events.Ipv4Address;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The builder hands its map to what it builds and copies on the next change: built options never change. */
class DhcpOptionsBuilderTest {
    @Test
    void changingTheBuilderAfterBuildLeavesTheBuiltOptionsAlone() {
        DhcpOptions.Builder b = DhcpOptions.builder().u8(OptionCode.MESSAGE_TYPE, 2).ip(OptionCode.SERVER_ID, Ipv4Address.parse("10.0.0.1"));
        DhcpOptions first = b.build();
        b.u8(OptionCode.MESSAGE_TYPE, 5).remove(OptionCode.SERVER_ID).string(OptionCode.MESSAGE, "x");
        DhcpOptions second = b.build();
        assertThat(first.u8(OptionCode.MESSAGE_TYPE)).contains(2);
        assertThat(first.ip(OptionCode.SERVER_ID)).contains(Ipv4Address.parse("10.0.0.1"));
        assertThat(first.has(OptionCode.MESSAGE)).isFalse();
        assertThat(second.u8(OptionCode.MESSAGE_TYPE)).contains(5);
        assertThat(second.has(OptionCode.SERVER_ID)).isFalse();
        assertThat(second.string(OptionCode.MESSAGE)).contains("x");
    }

    @Test
    void aBuilderFromOptionsChangesACopyAndPutCopiesTheCallersArray() {
        byte[] mine = {1, 2, 3};
        DhcpOptions original = DhcpOptions.builder().put(OptionCode.CLIENT_UUID, mine).build();
        mine[0] = 9;
        assertThat(original.bytes(OptionCode.CLIENT_UUID)).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
        DhcpOptions changed = original.toBuilder().append(OptionCode.CLIENT_UUID, new byte[] {4}).u8(OptionCode.MESSAGE_TYPE, 1).build();
        assertThat(original.size()).isEqualTo(1);
        assertThat(original.bytes(OptionCode.CLIENT_UUID)).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
        assertThat(changed.bytes(OptionCode.CLIENT_UUID)).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3, 4));
        assertThat(changed.u8(OptionCode.MESSAGE_TYPE)).contains(1);
        assertThat(DhcpOptions.EMPTY.toBuilder().u8(OptionCode.MESSAGE_TYPE, 1).build().size()).isEqualTo(1);
        assertThat(DhcpOptions.EMPTY.size()).isZero();
    }
}
