package io.chainboot.dhcp.codec;

import io.chainboot.events.Ipv4Address;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of a DHCP message in arrival (or sending) order, one value per code. Values of a
 * code that appeared several times are concatenated (RFC 3396 §7). Typed accessors read a value
 * by the kind of data it holds (RFC 2132 §2): address, address list, 8/16/32-bit number, text.
 */
public final class DhcpOptions {
    public static final DhcpOptions EMPTY = new DhcpOptions(Map.of());

    private final Map<Integer, byte[]> values;

    private DhcpOptions(Map<Integer, byte[]> values) {
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(values); // shares the map until the builder's first change (copy on write)
    }

    public Map<Integer, byte[]> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public boolean has(int code) {
        return values.containsKey(code);
    }

    public Optional<byte[]> bytes(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /** Raw view without a copy, for the encoder. */
    byte[] raw(int code) {
        return values.get(code);
    }

    public Optional<Integer> u8(int code) {
        byte[] v = values.get(code);
        return v != null && v.length == 1 ? Optional.of(v[0] & 0xFF) : Optional.empty();
    }

    public Optional<Integer> u16(int code) {
        byte[] v = values.get(code);
        return v != null && v.length == 2 ? Optional.of(((v[0] & 0xFF) << 8) | (v[1] & 0xFF)) : Optional.empty();
    }

    public Optional<Long> u32(int code) {
        byte[] v = values.get(code);
        return v != null && v.length == 4 ? Optional.of(Integer.toUnsignedLong(Ipv4Address.of(v, 0).value())) : Optional.empty();
    }

    public Optional<Ipv4Address> ip(int code) {
        byte[] v = values.get(code);
        return v != null && v.length == 4 ? Optional.of(Ipv4Address.of(v, 0)) : Optional.empty();
    }

    /** NVT ASCII text (RFC 2132 §2); trailing NULs, which some clients send, are dropped. */
    public Optional<String> string(int code) {
        byte[] v = values.get(code);
        if (v == null) {
            return Optional.empty();
        }
        int n = v.length;
        while (n > 0 && v[n - 1] == 0) {
            n--;
        }
        return Optional.of(new String(v, 0, n, StandardCharsets.ISO_8859_1));
    }

    public int size() {
        return values.size();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpOptions other) || other.values.size() != values.size()) {
            return false;
        }
        List<Integer> a = new ArrayList<>(values.keySet());
        List<Integer> b = new ArrayList<>(other.values.keySet());
        if (!a.equals(b)) {
            return false;
        }
        for (Integer k : a) {
            if (!Arrays.equals(values.get(k), other.values.get(k))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            h = 31 * h + e.getKey() * 17 + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=')
                .append(java.util.HexFormat.of().formatHex(v)));
        return sb.toString();
    }

    /**
     * Builds options in insertion order; {@code put} of an existing code replaces it in place.
     * {@link #build} hands its map to the options it returns and copies it on the next change
     * (copy on write): a reply is built once per request, so the common path copies nothing.
     */
    public static final class Builder {
        private Map<Integer, byte[]> values;
        /** {@code values} is also held by a built {@link DhcpOptions}: copy before changing it. */
        private boolean shared;

        public Builder() {
            this.values = new LinkedHashMap<>();
        }

        private Builder(Map<Integer, byte[]> from) {
            this.values = from;
            this.shared = true;
        }

        private Map<Integer, byte[]> own() {
            if (shared) {
                values = new LinkedHashMap<>(values);
                shared = false;
            }
            return values;
        }

        public Builder put(int code, byte[] value) {
            return putOwned(code, value.clone());
        }

        /** {@code value} is a fresh array nobody else holds: stored without a copy. */
        Builder putOwned(int code, byte[] value) {
            if (code <= 0 || code >= 255) {
                throw new IllegalArgumentException("option code out of range: " + code);
            }
            own().put(code, value);
            return this;
        }

        /** Appends to an existing value (RFC 3396 concatenation) or adds the option. */
        public Builder append(int code, byte[] value) {
            return appendOwned(code, value.clone());
        }

        /** As {@link #append}, {@code value} being a fresh array nobody else holds (the decoder's copies). */
        Builder appendOwned(int code, byte[] value) {
            byte[] old = values.get(code);
            if (old == null) {
                return putOwned(code, value);
            }
            byte[] joined = Arrays.copyOf(old, old.length + value.length);
            System.arraycopy(value, 0, joined, old.length, value.length);
            own().put(code, joined);
            return this;
        }

        public Builder u8(int code, int v) {
            return putOwned(code, new byte[] {(byte) v});
        }

        public Builder u16(int code, int v) {
            return putOwned(code, new byte[] {(byte) (v >>> 8), (byte) v});
        }

        public Builder u32(int code, long v) {
            return putOwned(code, new Ipv4Address((int) v).toBytes());
        }

        public Builder ip(int code, Ipv4Address ip) {
            return putOwned(code, ip.toBytes());
        }

        public Builder ips(int code, List<Ipv4Address> ips) {
            byte[] b = new byte[ips.size() * 4];
            for (int i = 0; i < ips.size(); i++) {
                int v = ips.get(i).value();
                b[i * 4] = (byte) (v >>> 24);
                b[i * 4 + 1] = (byte) (v >>> 16);
                b[i * 4 + 2] = (byte) (v >>> 8);
                b[i * 4 + 3] = (byte) v;
            }
            return putOwned(code, b);
        }

        public Builder string(int code, String s) {
            return putOwned(code, s.getBytes(StandardCharsets.ISO_8859_1));
        }

        public Builder remove(int code) {
            if (values.containsKey(code)) {
                own().remove(code);
            }
            return this;
        }

        public boolean has(int code) {
            return values.containsKey(code);
        }

        public DhcpOptions build() {
            if (values.isEmpty()) {
                return EMPTY;
            }
            shared = true;
            return new DhcpOptions(values);
        }
    }
}
