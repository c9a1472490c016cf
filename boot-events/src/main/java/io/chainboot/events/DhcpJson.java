package io.chainboot.events;

import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/**
 * The wire JSON of the three records every DHCP exchange produces ({@code dhcp.offered}, {@code dhcp.acked},
 * the {@link Lease}), written straight into bytes: the same bytes Jackson writes for them (field order, null
 * fields left out, ISO-8601 instants), pinned by the golden files and checked against Jackson in
 * {@code DhcpJsonTest}. At 4,000 DORA/s these are 12,000 encodings a second, and Jackson's reflective
 * record serializer was the largest part of dhcp-service's publishing threads.
 *
 * <p>Only plain text is written here: a string with a character outside printable ASCII, a quote or a
 * backslash (which Jackson would escape) makes {@link #encode} return null, and the caller falls back to
 * Jackson for that record, so escaping rules live in one place only.
 */
final class DhcpJson {
    private static final byte[] SCHEMA = (",\"schema\":" + BootEvent.SCHEMA_VERSION + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] buf = new byte[512];
    private int len;

    private DhcpJson() {
    }

    /** The JSON of {@code value} (an Offered, an Acked or a Lease), or null when Jackson must write it. */
    static byte[] encode(Object value) {
        DhcpJson w = new DhcpJson();
        boolean plain;
        if (value instanceof DhcpEvents.Acked a) {
            plain = w.acked(a);
        } else if (value instanceof DhcpEvents.Offered o) {
            plain = w.offered(o);
        } else if (value instanceof Lease l) {
            plain = w.lease(l);
        } else {
            return null;
        }
        return plain ? Arrays.copyOf(w.buf, w.len) : null;
    }

    private boolean offered(DhcpEvents.Offered e) {
        raw("{\"type\":\"dhcp.offered\"");
        return common(e.id(), e.time(), e.source(), e.mac(), e.ip())
                && reply(e.client(), e.arch(), e.vendorClass(), e.uuid(), e.bootFile(), e.mode(), e.leaseSeconds())
                && string("ipv6", e.ipv6())
                && end();
    }

    private boolean acked(DhcpEvents.Acked e) {
        raw("{\"type\":\"dhcp.acked\"");
        return common(e.id(), e.time(), e.source(), e.mac(), e.ip())
                && reply(e.client(), e.arch(), e.vendorClass(), e.uuid(), e.bootFile(), e.mode(), e.leaseSeconds())
                && string("hostname", e.hostname())
                && string("ipv6", e.ipv6())
                && end();
    }

    private boolean lease(Lease l) {
        put(b('{'));
        if (l.ip() != null) {
            field("ip");
            quoted(l.ip().toString());
        }
        if (l.mac() != null) {
            field("mac");
            quoted(l.mac().toString());
        }
        if (l.expiresAt() != null) {
            field("expiresAt");
            quoted(l.expiresAt().toString());
        }
        if (!string("hostname", l.hostname()) || !string("ipv6", l.ipv6())) {
            return false;
        }
        put(b('}'));
        return true;
    }

    private boolean common(UUID id, Instant time, EventSource source, MacAddress mac, Ipv4Address ip) {
        if (id != null) {
            field("id");
            quoted(id.toString());
        }
        if (time != null) {
            field("time");
            quoted(time.toString());
        }
        if (source != null) {
            field("source");
            put(b('{'));
            if (!string("service", source.service()) || !string("instance", source.instance())) {
                return false;
            }
            put(b('}'));
        }
        if (mac != null) {
            field("mac");
            quoted(mac.toString());
        }
        if (ip != null) {
            field("ip");
            quoted(ip.toString());
        }
        return true;
    }

    private boolean reply(ClientKind client, Integer arch, String vendorClass, String uuid, String bootFile, String mode,
                          long leaseSeconds) {
        if (client != null) {
            field("client");
            quoted(client.name());
        }
        if (arch != null) {
            field("arch");
            raw(Integer.toString(arch));
        }
        if (!string("vendorClass", vendorClass) || !string("uuid", uuid) || !string("bootFile", bootFile)
                || !string("mode", mode)) {
            return false;
        }
        field("leaseSeconds");
        raw(Long.toString(leaseSeconds));
        return true;
    }

    private boolean end() {
        raw(SCHEMA);
        return true;
    }

    /** {@code "name":"value"} when value is set; false when the value needs escaping. */
    private boolean string(String name, String value) {
        if (value == null) {
            return true;
        }
        field(name);
        return plainQuoted(value);
    }

    /** {@code "name":}, after a comma unless it is the first field of its object. */
    private void field(String name) {
        if (buf[len - 1] != '{') {
            put(b(','));
        }
        put(b('"'));
        raw(name);
        put(b('"'));
        put(b(':'));
    }

    private boolean plainQuoted(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        quoted(s);
        return true;
    }

    /** Text known to be plain (UUIDs, instants, addresses, enum names). */
    private void quoted(String s) {
        put(b('"'));
        raw(s);
        put(b('"'));
    }

    private void raw(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len + i] = (byte) ascii.charAt(i); // ASCII only (checked by plainQuoted, or known text)
        }
        len += n;
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void put(byte v) {
        ensure(1);
        buf[len++] = v;
    }

    private static byte b(char c) {
        return (byte) c;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
