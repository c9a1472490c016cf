package io.chainboot.dhcp.ha;

import io.chainboot.dhcp.lease.Pool;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class SharesTest {
    static final Pool POOL = new Pool(Ipv4Address.parse("10.0.0.100"), Ipv4Address.parse("10.0.0.199"),
            Ipv4Address.parse("255.255.255.0"), Optional.empty(), List.of());

    @Test
    void theRfc3074TableIsAPermutationOf0To255() {
        assertThat(Arrays.stream(Shares.T).sorted().toArray()).isEqualTo(IntStream.range(0, 256).toArray());
    }

    @Test
    void bucketIsTheRfc3074HashFromTheEndOfTheKeyStartingAtItsLength() {
        // one byte b: T[1 ^ b]; two bytes [x, y]: T[T[2 ^ y] ^ x]
        assertThat(Shares.bucket(new byte[] {0})).isEqualTo(Shares.T[1]);
        assertThat(Shares.bucket(new byte[] {5, 7})).isEqualTo(Shares.T[Shares.T[2 ^ 7] ^ 5]);
        assertThat(Shares.bucket(new byte[0])).isEqualTo(0);
    }

    @Test
    void twoInstancesSplitTheBucketsAndThePoolInHalves() {
        Shares s = new Shares(2);
        assertThat(s.addressOwner(POOL, Ipv4Address.parse("10.0.0.100"))).isZero();
        assertThat(s.addressOwner(POOL, Ipv4Address.parse("10.0.0.149"))).isZero();
        assertThat(s.addressOwner(POOL, Ipv4Address.parse("10.0.0.150"))).isEqualTo(1);
        assertThat(s.addressOwner(POOL, Ipv4Address.parse("10.0.0.199"))).isEqualTo(1);
        assertThat(s.addressOwner(POOL, Ipv4Address.parse("10.0.0.99"))).isEqualTo(-1);
        int[] perOwner = new int[2];
        for (int i = 0; i < 1000; i++) {
            perOwner[s.clientOwner(MacAddress.parse(String.format("02:00:00:00:%02x:%02x", i >> 8, i & 0xff)))]++;
        }
        // perfdhcp-like sequential MACs spread over both instances
        assertThat(perOwner[0]).isBetween(350, 650);
        assertThat(perOwner[1]).isEqualTo(1000 - perOwner[0]);
    }

    @Test
    void threeInstancesCoverAnUnevenPoolWithoutGapOrOverlap() {
        Shares s = new Shares(3);
        Pool p = new Pool(Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.10"),
                Ipv4Address.parse("255.255.255.0"), Optional.empty(), List.of());
        int[] owners = IntStream.rangeClosed(1, 10).map(i -> s.addressOwner(p, Ipv4Address.parse("10.0.0." + i))).toArray();
        assertThat(owners).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2, 2);
    }
}
