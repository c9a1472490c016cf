package io.chainboot.dhcp.ndp;

import io.chainboot.dhcp.ndp.NdpMessage.RouterAdvertisement;
import io.chainboot.dhcp.ndp.NdpMessage.RouterSolicitation;
import io.chainboot.dhcp.ndp.RouterAdvertiser.Advertise;
import io.chainboot.dhcp.ndp.RouterAdvertiser.Quiet;
import io.chainboot.events.MacAddress;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RouterAdvertiserTest {
    static final Instant T0 = Instant.parse("2026-12-02T18:00:00Z");
    static final MacAddress MAC = MacAddress.parse("52:54:00:00:00:01");
    static final RouterSolicitation RS = new RouterSolicitation(Optional.of(MAC));
    static final RouterAdvertisement NONE = RaSettings.of(RaPolicy.ALL, Optional.empty()).advertisement();
    static final RouterAdvertisement FOREIGN = new RouterAdvertisement(64, true, true, 1800, 0, 0, Optional.empty(),
            Optional.empty(), List.of());

    @Test
    void fullModeAnswersEverySolicitationUnicastToItsSender() {
        RouterAdvertiser a = new RouterAdvertiser(RaPolicy.parse("auto", true), NONE);
        assertThat(a.onSolicitation(v6("fe80::1"), RS, T0))
                .isEqualTo(new Advertise(NONE, v6("fe80::1"), "full mode"));
        assertThat(a.onSolicitation(v6("fe80::2"), new RouterSolicitation(Optional.empty()), T0))
                .isInstanceOf(Advertise.class);
    }

    @Test
    void aSolicitationFromTheUnspecifiedAddressGetsAtMostOneMulticastAnswerPerThreeSeconds() {
        RouterAdvertiser a = new RouterAdvertiser(RaPolicy.ALL, NONE);
        RouterSolicitation anon = new RouterSolicitation(Optional.empty());
        assertThat(a.onSolicitation(v6("::"), anon, T0)).extracting(r -> ((Advertise) r).to()).isEqualTo(v6("ff02::1"));
        assertThat(a.onSolicitation(v6("::"), anon, T0.plusSeconds(2))).isInstanceOf(Quiet.class);
        assertThat(a.onSolicitation(v6("::"), anon, T0.plusSeconds(3))).isInstanceOf(Advertise.class);
    }

    @Test
    void proxyModeAnswersOnlyMachinesSeenBootingRecently() {
        RouterAdvertiser a = new RouterAdvertiser(RaPolicy.parse("auto", false), NONE);
        assertThat(a.onSolicitation(v6("fe80::1"), new RouterSolicitation(Optional.empty()), T0))
                .isInstanceOf(Quiet.class);
        assertThat(a.onSolicitation(v6("::"), new RouterSolicitation(Optional.empty()), T0)).isInstanceOf(Quiet.class);
        assertThat(a.clientBooting(MAC, T0.plusSeconds(30))).as("held solicitation expired").isEmpty();
        assertThat(a.onSolicitation(v6("fe80::1"), RS, T0.plusSeconds(31))).isInstanceOf(Advertise.class);
        Instant later = T0.plusSeconds(30).plus(RouterAdvertiser.BOOTING_MEMORY).plusSeconds(1);
        assertThat(a.onSolicitation(v6("fe80::1"), RS, later)).isInstanceOf(Quiet.class);
    }

    @Test
    void aSolicitationThatBeatsItsDhcpRequestIsAnsweredWhenTheRequestComes() {
        RouterAdvertiser a = new RouterAdvertiser(RaPolicy.BOOTING_CLIENTS, NONE);
        assertThat(a.onSolicitation(v6("fe80::5054:ff:fe00:1"), RS, T0)).isInstanceOf(Quiet.class);
        assertThat(a.clientBooting(MAC, T0.plusMillis(300)))
                .hasValueSatisfying(ad -> assertThat(ad.to()).isEqualTo(v6("fe80::5054:ff:fe00:1")));
        assertThat(a.clientBooting(MAC, T0.plusMillis(400))).as("answered once").isEmpty();
    }

    @Test
    void anyOtherRouterSilencesItForThirtyMinutesOrItsLifetime() {
        RouterAdvertiser a = new RouterAdvertiser(RaPolicy.ALL, NONE);
        a.onForeignAdvertisement(v6("fe80::99"), FOREIGN, T0);
        assertThat(a.onSolicitation(v6("fe80::1"), RS, T0.plusSeconds(1)))
                .isEqualTo(new Quiet("router fe80:0:0:0:0:0:0:99 advertises on this link"));
        assertThat(a.foreignRouter(T0.plusSeconds(1))).contains(v6("fe80::99"));
        Instant after = T0.plus(Duration.ofMinutes(30)).plusSeconds(1);
        assertThat(a.onSolicitation(v6("fe80::1"), RS, after)).isInstanceOf(Advertise.class);
        a.onForeignAdvertisement(v6("fe80::99"), new RouterAdvertisement(0, false, false, 9000, 0, 0, Optional.empty(),
                Optional.empty(), List.of()), after);
        assertThat(a.onSolicitation(v6("fe80::1"), RS, after.plus(Duration.ofMinutes(149)))).isInstanceOf(Quiet.class);
    }

    @Test
    void aSolicitationWithoutLinkLayerOptionIsTiedToItsMachineThroughTheEui64Address() {
        RouterAdvertiser a = new RouterAdvertiser(RaPolicy.BOOTING_CLIENTS, NONE);
        a.clientBooting(MAC, T0);
        RouterSolicitation bare = new RouterSolicitation(Optional.empty());
        assertThat(a.onSolicitation(v6("fe80::5054:ff:fe00:1"), bare, T0)).isInstanceOf(Advertise.class);
        assertThat(a.onSolicitation(v6("fe80::5054:ff:fe00:2"), bare, T0)).isInstanceOf(Quiet.class);
        assertThat(a.onSolicitation(v6("fe80::1234:5678:9abc:def0"), bare, T0)).isInstanceOf(Quiet.class);
        assertThat(RouterAdvertiser.macOfEui64(v6("fe80::5054:ff:fe00:1"))).contains(MAC);
    }

    @Test
    void offNeverAnswers() {
        RouterAdvertiser a = new RouterAdvertiser(RaPolicy.parse("off", true), NONE);
        assertThat(a.onSolicitation(v6("fe80::1"), RS, T0)).isInstanceOf(Quiet.class);
        assertThat(a.clientBooting(MAC, T0)).isEmpty();
    }

    @Test
    void policyNamesAreCheckedWithTheKeyNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RaPolicy.parse("yes", true))
                .hasMessageContaining("chainboot.dhcp.router-advertisements");
        assertThat(RaPolicy.parse("booting_clients", true)).isEqualTo(RaPolicy.BOOTING_CLIENTS);
    }

    static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
