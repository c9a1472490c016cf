package io.chainboot.dhcp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.chainboot.dhcp.v6.codec.Dhcpv6Codec;
import io.chainboot.dhcp.v6.codec.Dhcpv6Message;
import io.chainboot.events.Decoded;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the DHCPv6 decoder: any bytes give a {@link Decoded} (never an exception), every typed view is
 * safe on what decodes, and a decoded message re-encodes to the very bytes it came from. In the normal
 * suite it replays the corpus in src/test/resources (regression mode: the eight golden captures);
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=Dhcpv6DecoderFuzzTest} fuzzes for real.
 */
class Dhcpv6DecoderFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void decodeNeverThrowsAndRoundTrips(byte[] data) {
        Decoded<Dhcpv6Message> d = Dhcpv6Codec.decode(data);
        if (!(d instanceof Decoded.Valid<Dhcpv6Message> v)) {
            return;
        }
        Dhcpv6Message m = v.value();
        m.clientId();
        m.serverId();
        m.requestedOptions();
        m.clientArchitectures();
        m.bootfileUrl();
        m.vendorClasses();
        m.userClasses();
        m.iaNas();
        assertThat(Dhcpv6Codec.encode(m)).isEqualTo(data);
    }
}
