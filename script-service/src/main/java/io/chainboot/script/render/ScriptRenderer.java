package io.chainboot.script.render;

import io.chainboot.events.Decoded;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.script.boot.BootFacts;
import io.chainboot.script.profile.MenuItem;
import io.chainboot.script.profile.Profile;
import io.chainboot.script.profile.ProfileKind;
import io.quarkus.qute.Template;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns (profile, machine, facts, context) into an iPXE script. Pure: no I/O, no Quarkus; the built-in
 * templates ({@code ipxe/<kind>.ipxe}) are parsed once. Every value that reaches a template is checked
 * by {@link IpxeText} first; anything that cannot be rendered becomes a {@link RenderOutcome.Failure}
 * whose script echoes the reason and asks again after a delay (never an HTTP error the console cannot show).
 *
 * <p>iSCSI root paths follow iPXE's {@code iscsi:<servername>:<protocol>:<port>:<LUN>:<targetname>}
 * (iPXE {@code src/net/tcp/iscsi.c}, {@code iscsi_parse_root_path}; the same syntax as RFC 4173 §5),
 * with LUN 0 — the boot disk of every Chainboot target.
 */
public final class ScriptRenderer {
    private final Map<ProfileKind, Template> builtins = new EnumMap<>(ProfileKind.class);
    private final Template error = Templates.builtin("ipxe/error.ipxe");
    private final Map<String, Template> cmdlines = new ConcurrentHashMap<>();

    public ScriptRenderer() {
        for (ProfileKind k : ProfileKind.values()) {
            builtins.put(k, Templates.builtin("ipxe/" + k.wire() + ".ipxe"));
        }
    }

    /** The script for {@code profile}; {@code spec} is null for a machine the directory does not know. */
    public RenderOutcome render(Profile profile, MachineSpec spec, BootFacts facts, RenderContext ctx) {
        Decoded<Map<String, Object>> data = data(profile, spec, facts, ctx);
        if (data instanceof Decoded.Invalid<Map<String, Object>> bad) {
            return failure(facts, profile.name(), ctx, bad.reason());
        }
        Template template = profile.template() != null ? profile.template() : builtins.get(profile.kind());
        try {
            String script = template.data(data.orElseThrow()).render();
            return new RenderOutcome.Script(script, profile.name(), attachesSan(script));
        } catch (RuntimeException e) { // strict rendering: a custom template used a value that is not there
            return failure(facts, profile.name(), ctx, "profile " + profile.name() + ": template failed: " + message(e));
        }
    }

    /**
     * Whether a script logs in to an iSCSI disk: a line whose command is {@code sanboot} or {@code sanhook}.
     * Read from the script itself, so a custom template answers as truly as a built-in one; a script that
     * chains elsewhere (menu, chain) does not — what it chains to is another script (its own answer) or
     * outside Chainboot's view.
     */
    public static boolean attachesSan(String script) {
        for (String line : script.split("\n")) {
            String l = line.strip();
            int end = 0;
            while (end < l.length() && !Character.isWhitespace(l.charAt(end))) {
                end++;
            }
            String command = l.substring(0, end);
            if (command.equals("sanboot") || command.equals("sanhook")) {
                return true;
            }
        }
        return false;
    }

    /** The error script: echoes {@code reason} (made harmless) and chains back to /boot.ipxe after the delay. */
    public RenderOutcome.Failure failure(BootFacts facts, String profile, RenderContext ctx, String reason) {
        Map<String, Object> d = new HashMap<>();
        d.put("who", facts == null ? "this machine" : facts.mac().toString());
        d.put("reason", IpxeText.forEcho(reason));
        d.put("retryDelay", ctx.retryDelaySeconds());
        d.put("bootUrl", bootUrl(ctx, null));
        return new RenderOutcome.Failure(error.data(d).render(), profile, reason);
    }

    /** Where a script asks again: /boot.ipxe with iPXE's own settings, as the DHCP boot URL does. */
    static String bootUrl(RenderContext ctx, String profile) {
        return ctx.link("boot.ipxe?" + Names.IPXE_SCRIPT_QUERY
                + (profile == null ? "" : "&profile=" + profile));
    }

    /** The values of a profile's template (also read by {@link GrubRenderer}: the same checks, the same cmdline). */
    Decoded<Map<String, Object>> data(Profile p, MachineSpec spec, BootFacts facts, RenderContext ctx) {
        Map<String, Object> d = new HashMap<>();
        d.put("profile", p.name());
        d.put("mac", facts.mac().toString());
        d.put("macHyphen", facts.mac().toHyphenated());
        String hostname = spec != null && spec.hostname() != null ? spec.hostname()
                : facts.hostname() != null ? facts.hostname() : facts.mac().toHyphenated();
        d.put("hostname", hostname);
        d.put("uuid", facts.uuid() == null ? "" : facts.uuid());
        d.put("arch", facts.arch() == null ? "" : facts.arch());
        d.put("platform", facts.platform() == null ? "" : facts.platform());
        d.put("baseUrl", ctx.baseUrl() == null ? "" : ctx.baseUrl());
        d.put("retryDelay", ctx.retryDelaySeconds());
        d.put("bootUrl", bootUrl(ctx, p.name()));
        // labels: only those safe to write (others stay usable by selectors, and a template using one fails)
        Map<String, String> labels = new HashMap<>();
        if (spec != null) {
            spec.labels().forEach((k, v) -> {
                if (IpxeText.isWords(v)) {
                    labels.put(k, v);
                }
            });
        }
        d.put("labels", labels);
        // params: the profile's (administrator text) overridden by the machine's own (untrusted: checked)
        Map<String, String> params = new LinkedHashMap<>(p.params());
        if (spec != null) {
            for (Map.Entry<String, String> e : spec.params().entrySet()) {
                Decoded<String> v = IpxeText.words("machine parameter " + e.getKey(), e.getValue());
                if (v instanceof Decoded.Invalid<String> bad) {
                    return Decoded.invalid(bad.reason());
                }
                params.put(e.getKey(), e.getValue());
            }
        }
        d.put("params", params);

        // iSCSI values: required by sanboot/install-windows (and linux with sanhook), offered to cmdlines and
        // custom templates when available
        Decoded<Boolean> sanhook = sanhook(p, params);
        if (sanhook instanceof Decoded.Invalid<Boolean> bad) {
            return Decoded.invalid(bad.reason());
        }
        Decoded<Boolean> san = san(d, p, spec, facts, ctx);
        if (san instanceof Decoded.Invalid<Boolean> bad && (p.kind().usesSan() || sanhook.orElseThrow())) {
            return Decoded.invalid(bad.reason());
        }
        switch (p.kind()) {
            case SANBOOT: {
                String efi = params.get("efi-filename");
                d.put("efiFilename", efi != null && "efi".equals(facts.platform()) ? efi : "");
                break;
            }
            case INSTALL_WINDOWS: {
                String drive = params.getOrDefault("drive", "0x80");
                if (!drive.matches("0x[0-9a-fA-F]{2}")) {
                    return Decoded.invalid("profile " + p.name() + ": params.drive must look like 0x80");
                }
                d.put("drive", drive);
                Decoded<String> wimboot = url(ctx, "wimboot", params.getOrDefault("wimboot", "wimboot"));
                Decoded<String> winpe = url(ctx, "winpe", params.getOrDefault("winpe", "winpe"));
                if (!wimboot.isValid() || !winpe.isValid()) {
                    return Decoded.invalid(reasonOf(wimboot.isValid() ? winpe : wimboot));
                }
                d.put("wimbootUrl", wimboot.orElseThrow());
                d.put("winpeUrl", winpe.orElseThrow());
                List<Map<String, String>> extra = new ArrayList<>();
                for (String[] f : new String[][]{{"install-bat", "install.bat"}, {"winpeshl-ini", "winpeshl.ini"},
                        {"startnet-cmd", "startnet.cmd"}, {"autounattend-xml", "autounattend.xml"}}) {
                    if (params.containsKey(f[0])) {
                        Decoded<String> u = url(ctx, f[0], params.get(f[0]));
                        if (!u.isValid()) {
                            return Decoded.invalid(reasonOf(u));
                        }
                        extra.add(Map.of("url", u.orElseThrow(), "name", f[1]));
                    }
                }
                d.put("extraFiles", extra);
                break;
            }
            case LINUX: {
                d.put("sanhook", sanhook.orElseThrow());
                Decoded<String> kernel = url(ctx, "kernel", params.get("kernel"));
                if (!kernel.isValid()) {
                    return Decoded.invalid(reasonOf(kernel));
                }
                d.put("kernelUrl", kernel.orElseThrow());
                List<String> initrds = new ArrayList<>();
                String initrd = params.get("initrd");
                if (initrd != null) {
                    for (String one : initrd.split(",")) {
                        Decoded<String> u = url(ctx, "initrd", one.strip());
                        if (!u.isValid()) {
                            return Decoded.invalid(reasonOf(u));
                        }
                        initrds.add(u.orElseThrow());
                    }
                }
                d.put("initrds", initrds);
                Decoded<String> cmdline = cmdline(p, d, params.get("cmdline"));
                if (!cmdline.isValid()) {
                    return Decoded.invalid(reasonOf(cmdline));
                }
                d.put("cmdline", cmdline.orElseThrow());
                break;
            }
            case MENU: {
                List<Map<String, Object>> items = new ArrayList<>();
                for (MenuItem i : p.items()) {
                    Map<String, Object> m = new HashMap<>();
                    m.put("id", i.profile());
                    m.put("label", i.label());
                    m.put("key", i.key() == null ? "" : i.key());
                    m.put("shell", "shell".equals(i.profile()));
                    m.put("url", bootUrl(ctx, i.profile()));
                    items.add(m);
                }
                d.put("items", items);
                d.put("title", params.getOrDefault("title", "Chainboot: " + hostname));
                d.put("default", params.getOrDefault("default", p.items().get(0).profile()));
                int timeout = Integer.parseInt(params.getOrDefault("timeout", "0"));
                d.put("timeoutMs", timeout == 0 ? "" : Integer.toString(timeout * 1000));
                break;
            }
            case CHAIN: {
                Decoded<String> u = url(ctx, "url", params.get("url"));
                if (!u.isValid()) {
                    return Decoded.invalid(reasonOf(u));
                }
                d.put("url", u.orElseThrow());
                break;
            }
            case LOCAL:
            default:
                break;
        }
        return Decoded.valid(d);
    }

    /**
     * Kind linux, {@code params.sanhook}: {@code true} hooks the machine's iSCSI disk ({@code sanhook}) before
     * the kernel is loaded, so iPXE leaves an iBFT for the kernel's initiator (root on the machine's own disk);
     * {@code false} or absent: no SAN. Other kinds ignore it.
     */
    static Decoded<Boolean> sanhook(Profile p, Map<String, String> params) {
        String v = params.get("sanhook");
        if (p.kind() != ProfileKind.LINUX || v == null || v.equals("false")) {
            return Decoded.valid(false);
        }
        return v.equals("true") ? Decoded.valid(true)
                : Decoded.invalid("profile " + p.name() + ": params.sanhook must be true or false, got '" + v + "'");
    }

    /** The iSCSI values shared by sanboot and install-windows (and offered to custom templates). */
    private static Decoded<Boolean> san(Map<String, Object> d, Profile p, MachineSpec spec, BootFacts facts,
                                        RenderContext ctx) {
        if (spec == null || spec.disk() == null) {
            return Decoded.invalid("no iSCSI disk is assigned to " + facts.mac() + " (profile " + p.name() + ")");
        }
        if (ctx.iscsiServer() == null) {
            return Decoded.invalid("chainboot.script.iscsi-server is not set, so profile " + p.name() + " cannot reach a disk");
        }
        String initiator = Names.initiatorIqn(ctx.iqnPrefix(), facts.mac());
        String target = Names.targetIqn(ctx.iqnPrefix(), spec);
        d.put("initiatorIqn", initiator);
        d.put("targetIqn", target);
        d.put("iscsiServer", ctx.iscsiServer());
        d.put("iscsiPort", ctx.iscsiPort());
        d.put("sanUri", Names.iscsiRootPath(ctx.iscsiServer(), ctx.iscsiPort(), 0, target));
        boolean chap = spec.chap().enabled();
        boolean mutual = spec.chap().mutual();
        d.put("chap", chap);
        d.put("mutual", mutual);
        d.put("username", "");
        d.put("password", "");
        d.put("reverseUsername", "");
        d.put("reversePassword", "");
        if (chap) {
            if (ctx.clusterSecret() == null) {
                return Decoded.invalid("CHAP is on for " + facts.mac() + " but chainboot.common.cluster-secret is not set");
            }
            try {
                d.put("username", initiator);
                d.put("password", Names.chapSecret(ctx.clusterSecret(), facts.mac()));
                if (mutual) {
                    d.put("reverseUsername", target);
                    d.put("reversePassword", Names.mutualChapSecret(ctx.clusterSecret(), facts.mac()));
                }
            } catch (IllegalArgumentException e) {
                return Decoded.invalid(e.getMessage());
            }
        }
        return Decoded.valid(true);
    }

    /** An absolute URL as given, or a path under this service's /assets/. Never with whitespace. */
    private static Decoded<String> url(RenderContext ctx, String what, String value) {
        if (value == null || value.isBlank()) {
            return Decoded.invalid("params." + what + " is missing");
        }
        if (!IpxeText.isLine(value) || value.contains(" ")) {
            return Decoded.invalid("params." + what + " must be a URL or an asset path without spaces");
        }
        if (value.contains("://")) {
            return Decoded.valid(value);
        }
        String path = value.startsWith("/") ? value.substring(1) : value;
        return Decoded.valid(ctx.link("assets/" + path));
    }

    private Decoded<String> cmdline(Profile p, Map<String, Object> d, String text) {
        if (text == null || text.isEmpty()) {
            return Decoded.valid("");
        }
        Template t = cmdlines.computeIfAbsent(text, s -> Templates.parse("cmdline", s).orElseThrow());
        String out;
        try {
            out = t.data(d).render().strip();
        } catch (RuntimeException e) {
            return Decoded.invalid("profile " + p.name() + ": cmdline failed: " + message(e));
        }
        return IpxeText.line("profile " + p.name() + ": rendered cmdline", out);
    }

    private static String message(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static String reasonOf(Decoded<?> d) {
        return ((Decoded.Invalid<?>) d).reason();
    }
}
