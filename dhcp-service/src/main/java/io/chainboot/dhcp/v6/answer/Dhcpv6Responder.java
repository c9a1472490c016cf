package io.chainboot.dhcp.v6.answer;

import io.chainboot.dhcp.v6.codec.Dhcpv6Codec;
import io.chainboot.dhcp.v6.codec.Dhcpv6Message;
import io.chainboot.dhcp.v6.codec.Dhcpv6MessageType;
import io.chainboot.dhcp.v6.codec.Dhcpv6Option;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The DHCPv6 decisions (RFC 8415 §18.3 server behaviour, RFC 5970 boot options), pure: a decoded message
 * in, the answer (or none) out. Addresses come from {@code lease}, asked with (client DUID, IAID); the
 * lease store is the caller's.
 *
 * <ul>
 *   <li>Solicit (§18.3.1) → Advertise; Request (§18.3.2), Renew (§18.3.4), Rebind (§18.3.5) → Reply with the
 *       IA_NA addresses; Information-request (§18.3.6) → Reply with boot options only; Release (§18.3.7) →
 *       Reply, status Success. Others: none.</li>
 *   <li>None without a Client Identifier; none for a Solicit or Information-request naming another server,
 *       or a Request/Renew/Release naming another server or none (§16).</li>
 *   <li>Boot clients get option 59 (RFC 5970 §3.1): iPXE (user class {@code iPXE}) the script URL; HTTP Boot
 *       firmware (vendor class {@code HTTPClient…}) {@code <http base><loader>} and option 16 {@code HTTPClient}
 *       echoed (UEFI 2.5 §24.7); PXE firmware (vendor class {@code PXEClient…}, or 59 in its ORO) of arch
 *       7/9 {@code <tftp base><loader>}. Other architectures get no 59.</li>
 *   <li>Without addresses (proxy style) every IA_NA is answered with status NoAddrsAvail (§21.13 code 2).</li>
 * </ul>
 */
public final class Dhcpv6Responder {
    /** IANA enterprise number used by UEFI for its vendor classes (Intel). */
    public static final long UEFI_ENTERPRISE = 343;
    static final int STATUS_SUCCESS = 0;
    static final int STATUS_NO_ADDRS_AVAIL = 2;

    private final Dhcpv6Settings settings;
    private final BiFunction<byte[], Long, Optional<Inet6Address>> lease;

    public Dhcpv6Responder(Dhcpv6Settings settings, BiFunction<byte[], Long, Optional<Inet6Address>> lease) {
        this.settings = settings;
        this.lease = lease;
    }

    public Optional<Dhcpv6Message> answer(Dhcpv6Message m) {
        Optional<byte[]> client = m.clientId();
        if (client.isEmpty()) {
            return Optional.empty();
        }
        Optional<byte[]> server = m.serverId();
        boolean ours = server.filter(s -> Arrays.equals(s, settings.serverDuid())).isPresent();
        Dhcpv6MessageType answerType;
        switch (m.type()) {
            case SOLICIT, INFORMATION_REQUEST:
                if (server.isPresent() && !ours) {
                    return Optional.empty();
                }
                answerType = m.type() == Dhcpv6MessageType.SOLICIT ? Dhcpv6MessageType.ADVERTISE : Dhcpv6MessageType.REPLY;
                break;
            case REQUEST, RENEW, RELEASE:
                if (!ours) {
                    return Optional.empty();
                }
                answerType = Dhcpv6MessageType.REPLY;
                break;
            case REBIND:
                if (server.isPresent()) {
                    return Optional.empty();
                }
                answerType = Dhcpv6MessageType.REPLY;
                break;
            default:
                return Optional.empty();
        }
        List<Dhcpv6Option> out = new ArrayList<>();
        out.add(new Dhcpv6Option(Dhcpv6Option.CLIENT_ID, client.get()));
        out.add(new Dhcpv6Option(Dhcpv6Option.SERVER_ID, settings.serverDuid()));
        if (m.type() == Dhcpv6MessageType.RELEASE) {
            out.add(new Dhcpv6Option(Dhcpv6Option.STATUS_CODE, status(STATUS_SUCCESS, "released")));
            return Optional.of(new Dhcpv6Message(Dhcpv6MessageType.REPLY, m.transactionId(), out));
        }
        if (m.type() != Dhcpv6MessageType.INFORMATION_REQUEST) {
            for (Dhcpv6Message.IaNa ia : m.iaNas()) {
                out.add(new Dhcpv6Option(Dhcpv6Option.IA_NA, iaNa(client.get(), ia)));
            }
        }
        bootFileUrl(m).ifPresent(url -> out.add(new Dhcpv6Option(Dhcpv6Option.BOOTFILE_URL, url.getBytes(StandardCharsets.UTF_8))));
        if (httpClient(m)) {
            out.add(new Dhcpv6Option(Dhcpv6Option.VENDOR_CLASS, vendorClass("HTTPClient")));
        }
        return Optional.of(new Dhcpv6Message(answerType, m.transactionId(), out));
    }

    /** RFC 5970 §3.1: which loader URL this client gets, if it is a boot client we have one for. */
    Optional<String> bootFileUrl(Dhcpv6Message m) {
        if (m.userClasses().contains("iPXE")) {
            return Optional.of(settings.scriptUrl());
        }
        List<Integer> arch = m.clientArchitectures();
        boolean x64 = arch.isEmpty() ? false : arch.get(0) == 7 || arch.get(0) == 9 || arch.get(0) == 16;
        if (httpClient(m)) {
            if (!x64 || settings.httpUrlBase() == null) {
                return Optional.empty();
            }
            String base = settings.httpUrlBase();
            return Optional.of(base.endsWith(".efi") ? base : base + settings.efiX64());
        }
        boolean pxe = m.vendorClasses().stream().flatMap(v -> v.data().stream()).anyMatch(d -> d.startsWith("PXEClient"))
                || m.requestedOptions().contains(Dhcpv6Option.BOOTFILE_URL);
        return pxe && x64 ? Optional.of(settings.tftpUrlBase() + settings.efiX64()) : Optional.empty();
    }

    static boolean httpClient(Dhcpv6Message m) {
        return m.vendorClasses().stream().flatMap(v -> v.data().stream()).anyMatch(d -> d.startsWith("HTTPClient"));
    }

    private byte[] iaNa(byte[] duid, Dhcpv6Message.IaNa ia) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long valid = settings.leaseTime().toSeconds();
        Optional<Inet6Address> address = settings.addresses() ? lease.apply(duid, ia.iaid()) : Optional.empty();
        u32(b, ia.iaid());
        u32(b, address.isPresent() ? valid / 2 : 0);
        u32(b, address.isPresent() ? valid * 7 / 8 : 0);
        if (address.isPresent()) {
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            a.writeBytes(address.get().getAddress());
            u32(a, valid);
            u32(a, valid);
            b.writeBytes(Dhcpv6Codec.option(Dhcpv6Option.IA_ADDR, a.toByteArray()));
        } else {
            b.writeBytes(Dhcpv6Codec.option(Dhcpv6Option.STATUS_CODE, status(STATUS_NO_ADDRS_AVAIL,
                    settings.addresses() ? "no address left" : "boot options only: addresses come from another server")));
        }
        return b.toByteArray();
    }

    static byte[] status(int code, String message) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(code >>> 8);
        b.write(code & 0xFF);
        b.writeBytes(message.getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    static byte[] vendorClass(String text) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        u32(b, UEFI_ENTERPRISE);
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        b.write(t.length >>> 8);
        b.write(t.length & 0xFF);
        b.writeBytes(t);
        return b.toByteArray();
    }

    private static void u32(ByteArrayOutputStream b, long v) {
        b.write((int) (v >>> 24) & 0xFF);
        b.write((int) (v >>> 16) & 0xFF);
        b.write((int) (v >>> 8) & 0xFF);
        b.write((int) v & 0xFF);
    }
}
