package io.chainboot.iscsi.session;

import io.chainboot.events.Decoded;
import io.chainboot.iscsi.login.TextKeys;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Text requests in the full feature phase (RFC 7143 §11.10, §11.11), as a pure function from the
 * request's data to the response's: SendTargets (Appendix C) lists targets with this portal, any other
 * key is answered NotUnderstood. No sockets: the connection passes what it knows of its session.
 */
public final class TextExchange {
    private TextExchange() {}

    /**
     * What a session may see.
     *
     * @param discovery     a discovery session (SendTargets=All lists every visible target)
     * @param sessionTarget the target of a normal session, or null in discovery
     * @param visible       the targets the initiator may see
     * @param portal        this portal, "host:port" ("[v6]:port"), given with group tag 1
     */
    public record View(boolean discovery, String sessionTarget, List<String> visible, String portal) {}

    /** The Text Response's data, or empty when the request's data is not text keys (answered with a Reject). */
    public static Optional<byte[]> answer(ByteBuffer request, View view) {
        Decoded<Map<String, String>> keys = TextKeys.parse(request);
        if (!(keys instanceof Decoded.Valid<Map<String, String>> v)) {
            return Optional.empty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : v.value().entrySet()) {
            if (e.getKey().equals("SendTargets")) {
                for (String n : sendTargets(e.getValue(), view)) {
                    put(out, "TargetName", n);
                    put(out, "TargetAddress", view.portal() + ",1");
                }
            } else {
                put(out, e.getKey(), "NotUnderstood");
            }
        }
        return Optional.of(out.toByteArray());
    }

    /** SendTargets=All, = (empty: this session's target) or =a name (listed only if visible). */
    static List<String> sendTargets(String value, View view) {
        if (value.equals("All")) {
            return view.discovery() ? view.visible() : List.of(view.sessionTarget());
        }
        if (value.isEmpty()) {
            return view.discovery() ? List.of() : List.of(view.sessionTarget());
        }
        return view.visible().contains(value) ? List.of(value) : List.of();
    }

    /** The portal as SendTargets gives it: the configured address, else the socket's local one; IPv6 in brackets. */
    public static String portal(String configuredHost, int configuredPort, String localHost, int localPort) {
        String host = configuredHost;
        int port = configuredPort;
        if (host == null || host.isBlank()) {
            host = localHost;
            port = localPort;
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return host + ":" + port;
    }

    private static void put(ByteArrayOutputStream out, String key, String value) {
        out.writeBytes((key + "=" + value).getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }
}
