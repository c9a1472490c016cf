package io.chainboot.script.boot;

import io.chainboot.events.Decoded;
import io.chainboot.events.MacAddress;
import io.chainboot.events.Names;
import io.chainboot.script.profile.ProfileParser;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What a machine says about itself in {@code /boot.ipxe?...}: iPXE's own settings ({@code ${mac:hexhyp}},
 * {@code ${uuid}}, {@code ${buildarch}}, {@code ${platform}}, {@code ${manufacturer}}, {@code ${serial}},
 * {@code ${hostname}}) and, from a menu choice, a {@code profile}. All of it is untrusted: {@link #parse}
 * checks every value; only {@code mac} is required. Empty values (an unset iPXE setting) count as absent.
 */
public record BootFacts(MacAddress mac, String uuid, String arch, String platform, String manufacturer,
                        String serial, String hostname, String profile) {
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
    private static final Pattern WORD = Pattern.compile("[a-z0-9_]{1,16}");

    public static Decoded<BootFacts> parse(Function<String, String> query) {
        String macText = blankToNull(query.apply("mac"));
        if (macText == null) {
            return Decoded.invalid("the request has no mac parameter");
        }
        MacAddress mac;
        try {
            mac = MacAddress.parse(macText);
        } catch (IllegalArgumentException e) {
            return Decoded.invalid("the mac parameter is not a MAC address");
        }
        String uuid = blankToNull(query.apply("uuid"));
        if (uuid != null && !UUID.matcher(uuid).matches()) {
            return Decoded.invalid("the uuid parameter is not a UUID");
        }
        String arch = blankToNull(query.apply("arch"));
        if (arch != null && !WORD.matcher(arch).matches()) {
            return Decoded.invalid("the arch parameter is not an iPXE build architecture");
        }
        String platform = blankToNull(query.apply("platform"));
        if (platform != null && !WORD.matcher(platform).matches()) {
            return Decoded.invalid("the platform parameter is not an iPXE platform");
        }
        String hostname = blankToNull(query.apply("hostname"));
        if (hostname != null && !Names.isValidHostname(hostname)) {
            return Decoded.invalid("the hostname parameter is not a host name");
        }
        String manufacturer = blankToNull(query.apply("manufacturer"));
        String serial = blankToNull(query.apply("serial"));
        if (!printable(manufacturer) || !printable(serial)) {
            return Decoded.invalid("the manufacturer or serial parameter has control characters or is too long");
        }
        String profile = blankToNull(query.apply("profile"));
        if (profile != null && !ProfileParser.NAME.matcher(profile).matches()) {
            return Decoded.invalid("the profile parameter is not a profile name");
        }
        return Decoded.valid(new BootFacts(mac, uuid == null ? null : uuid.toLowerCase(Locale.ROOT), arch, platform,
                manufacturer, serial, hostname, profile));
    }

    public static BootFacts ofMac(MacAddress mac) {
        return new BootFacts(mac, null, null, null, null, null, null, null);
    }

    /** Facts under their query names, for profile selectors (absent facts are left out). */
    public Map<String, String> asSelectable() {
        Map<String, String> m = new HashMap<>();
        m.put("mac", mac.toString());
        putIf(m, "uuid", uuid);
        putIf(m, "arch", arch);
        putIf(m, "platform", platform);
        putIf(m, "manufacturer", manufacturer);
        putIf(m, "serial", serial);
        putIf(m, "hostname", hostname);
        return m;
    }

    private static void putIf(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private static boolean printable(String s) {
        if (s == null) {
            return true;
        }
        if (s.length() > 128) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
