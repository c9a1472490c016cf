package io.chainboot.dhcp.v6.codec;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A client/server DHCPv6 message (RFC 8415 §8): type, 24-bit transaction id, options in wire order
 * (an option may repeat: several IA_NA, vendor classes). Typed views decode on demand and never throw:
 * a malformed option's view is empty.
 */
public record Dhcpv6Message(Dhcpv6MessageType type, int transactionId, List<Dhcpv6Option> options) {

    public Dhcpv6Message {
        if (type == Dhcpv6MessageType.RELAY_FORW || type == Dhcpv6MessageType.RELAY_REPL) {
            throw new IllegalArgumentException("relay messages have another header (RFC 8415 §9)");
        }
        if ((transactionId & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("transaction id is 24 bits");
        }
        options = List.copyOf(options);
    }

    /** An address lease inside an IA (RFC 8415 §21.6). */
    public record IaAddress(Inet6Address address, long preferredLifetime, long validLifetime) {
    }

    /** An IA_NA (RFC 8415 §21.4) with its addresses; other sub-options (status) are left out of this view. */
    public record IaNa(long iaid, long t1, long t2, List<IaAddress> addresses) {
        public IaNa {
            addresses = List.copyOf(addresses);
        }
    }

    /** RFC 8415 §21.16: an enterprise number and its opaque class strings. */
    public record VendorClass(long enterprise, List<String> data) {
        public VendorClass {
            data = List.copyOf(data);
        }
    }

    public List<Dhcpv6Option> all(int code) {
        return options.stream().filter(o -> o.code() == code).toList();
    }

    public Optional<byte[]> first(int code) {
        return options.stream().filter(o -> o.code() == code).findFirst().map(Dhcpv6Option::data);
    }

    /** The client's DUID (opaque bytes, RFC 8415 §11). */
    public Optional<byte[]> clientId() {
        return first(Dhcpv6Option.CLIENT_ID);
    }

    public Optional<byte[]> serverId() {
        return first(Dhcpv6Option.SERVER_ID);
    }

    /** RFC 8415 §21.7: requested option codes. */
    public List<Integer> requestedOptions() {
        List<Integer> out = new ArrayList<>();
        first(Dhcpv6Option.ORO).filter(d -> d.length % 2 == 0).ifPresent(d -> {
            for (int i = 0; i < d.length; i += 2) {
                out.add(u16(d, i));
            }
        });
        return out;
    }

    /** RFC 5970 §3.3: the client's architecture types (IANA "Processor Architecture Types"), in order. */
    public List<Integer> clientArchitectures() {
        List<Integer> out = new ArrayList<>();
        first(Dhcpv6Option.CLIENT_ARCH_TYPE).filter(d -> d.length % 2 == 0).ifPresent(d -> {
            for (int i = 0; i < d.length; i += 2) {
                out.add(u16(d, i));
            }
        });
        return out;
    }

    /** RFC 5970 §3.1. */
    public Optional<String> bootfileUrl() {
        return first(Dhcpv6Option.BOOTFILE_URL).map(d -> new String(d, StandardCharsets.UTF_8));
    }

    /** RFC 8415 §21.16: every vendor-class option; a malformed one is left out. */
    public List<VendorClass> vendorClasses() {
        List<VendorClass> out = new ArrayList<>();
        for (Dhcpv6Option o : all(Dhcpv6Option.VENDOR_CLASS)) {
            byte[] d = o.data();
            if (d.length < 4) {
                continue;
            }
            Optional<List<String>> strings = lengthPrefixed(d, 4);
            strings.ifPresent(s -> out.add(new VendorClass(u32(d, 0), s)));
        }
        return out;
    }

    /** RFC 8415 §21.15: user class data, each as text. */
    public List<String> userClasses() {
        return first(Dhcpv6Option.USER_CLASS).flatMap(d -> lengthPrefixed(d, 0)).orElse(List.of());
    }

    /** RFC 8415 §21.4: every IA_NA; a malformed one is left out. */
    public List<IaNa> iaNas() {
        List<IaNa> out = new ArrayList<>();
        for (Dhcpv6Option o : all(Dhcpv6Option.IA_NA)) {
            byte[] d = o.data();
            if (d.length < 12) {
                continue;
            }
            List<IaAddress> addresses = new ArrayList<>();
            Optional<List<Dhcpv6Option>> subs = Dhcpv6Codec.options(d, 12, d.length);
            if (subs.isEmpty()) {
                continue;
            }
            for (Dhcpv6Option s : subs.get()) {
                byte[] a = s.data();
                if (s.code() == Dhcpv6Option.IA_ADDR && a.length >= 24) {
                    try {
                        addresses.add(new IaAddress((Inet6Address) InetAddress.getByAddress(Arrays.copyOf(a, 16)),
                                u32(a, 16), u32(a, 20)));
                    } catch (UnknownHostException | ClassCastException e) {
                        // 16 bytes are always an IPv6 address
                    }
                }
            }
            out.add(new IaNa(u32(d, 0), u32(d, 4), u32(d, 8), addresses));
        }
        return out;
    }

    private static Optional<List<String>> lengthPrefixed(byte[] d, int from) {
        List<String> out = new ArrayList<>();
        int i = from;
        while (i < d.length) {
            if (i + 2 > d.length) {
                return Optional.empty();
            }
            int len = u16(d, i);
            if (i + 2 + len > d.length) {
                return Optional.empty();
            }
            out.add(new String(d, i + 2, len, StandardCharsets.UTF_8));
            i += 2 + len;
        }
        return Optional.of(out);
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }
}
