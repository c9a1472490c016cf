package io.chainboot.script.render;

import io.chainboot.events.Decoded;
import io.chainboot.events.MachineSpec;
import io.chainboot.script.boot.BootFacts;
import io.chainboot.script.profile.MenuItem;
import io.chainboot.script.profile.Profile;
import io.chainboot.script.profile.ProfileKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The GRUB configuration of the Secure Boot path (shim → Debian's signed {@code grubnetx64} → signed
 * kernel), from the same profiles as the iPXE scripts. Pure: profile, machine, facts in, text out.
 *
 * <p>What Debian's signed network GRUB can do decides what each kind becomes. It has no HTTP and no
 * iSCSI (its built-in modules read only TFTP, and under Secure Boot it loads no other module), and it
 * starts only signed EFI binaries and kernels (through shim's verifier):
 * <ul>
 *   <li>{@code linux}: {@code linux}/{@code initrd} of the profile's kernel and initrds, read over TFTP from
 *       the TFTP root at the same relative path as under {@code /assets/}; an {@code http://} kernel or
 *       {@code sanhook: true} cannot be done and is a failure saying so;</li>
 *   <li>{@code chain}: {@code chainloader} of a TFTP path (e.g. a signed iPXE); a URL is a failure;</li>
 *   <li>{@code local}: {@code exit} (the firmware tries its next boot option);</li>
 *   <li>{@code menu}: a GRUB menu of the items whose profiles work here (others are left out, named in a
 *       comment);</li>
 *   <li>{@code sanboot}, {@code install-windows}: a failure naming why (GRUB has no iSCSI client).</li>
 * </ul>
 * A failure is a configuration that prints the reason and asks again after the retry delay, as the
 * iPXE error script does, never a hang at a GRUB prompt.
 */
public final class GrubRenderer {
    /** What a path may contain to be written into a GRUB command unquoted. */
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._+/-]{1,200}");
    private final ScriptRenderer values;

    public GrubRenderer(ScriptRenderer values) {
        this.values = values;
    }

    /** The stub GRUB reads first ({@code grub/grub.cfg}): it asks for its own machine's file by its MAC. */
    public static String stub() {
        return "# Chainboot: GRUB asks for this machine's own configuration (rendered by script-service)\n"
                + "configfile /grub/grub.cfg-${net_default_mac}\n";
    }

    /** The TFTP name of a machine's configuration (what {@link #stub()} makes GRUB ask for). */
    public static String machineFile(io.chainboot.events.MacAddress mac) {
        return "grub/grub.cfg-" + mac;
    }

    public RenderOutcome render(Profile profile, MachineSpec spec, BootFacts facts, RenderContext ctx,
                                Function<String, Optional<Profile>> profiles) {
        Decoded<String> body = entry(profile, spec, facts, ctx);
        if (body instanceof Decoded.Invalid<String> bad) {
            return failure(facts, profile.name(), ctx, bad.reason());
        }
        StringBuilder out = new StringBuilder();
        out.append("# Chainboot profile ").append(profile.name()).append(" for ").append(facts.mac()).append(" (GRUB)\n");
        if (profile.kind() != ProfileKind.MENU) {
            out.append(body.orElseThrow());
            return new RenderOutcome.Script(out.toString(), profile.name(), false);
        }
        String title = profile.params().getOrDefault("title", "Chainboot: "
                + (spec != null && spec.hostname() != null ? spec.hostname() : facts.mac().toString()));
        int timeout = parseTimeout(profile.params().getOrDefault("timeout", "0"));
        out.append("set timeout=").append(timeout == 0 ? -1 : timeout).append('\n');
        String dflt = profile.params().getOrDefault("default", profile.items().isEmpty() ? "" : profile.items().get(0).profile());
        int index = 0;
        int chosen = 0;
        for (MenuItem item : profile.items()) {
            Optional<Profile> p = profiles.apply(item.profile()).filter(x -> x.kind() != ProfileKind.MENU);
            Decoded<String> e = p.map(x -> entry(x, spec, facts, ctx)).orElse(Decoded.invalid("not a bootable profile here"));
            if (e instanceof Decoded.Invalid<String> bad) {
                out.append("# item ").append(item.profile()).append(" left out: ").append(safe(bad.reason())).append('\n');
                continue;
            }
            if (item.profile().equals(dflt)) {
                chosen = index;
            }
            out.append("menuentry '").append(safe(item.label())).append("' {\n");
            for (String line : e.orElseThrow().split("\n")) {
                out.append("    ").append(line).append('\n');
            }
            out.append("}\n");
            index++;
        }
        if (index == 0) {
            return failure(facts, profile.name(), ctx, "menu " + profile.name() + " has no item GRUB can boot under Secure Boot");
        }
        out.insert(out.indexOf("set timeout="), "# " + safe(title) + "\nset default=" + chosen + "\n");
        return new RenderOutcome.Script(out.toString(), profile.name(), false);
    }

    /** The commands of one non-menu profile, or why GRUB cannot do it. */
    private Decoded<String> entry(Profile p, MachineSpec spec, BootFacts facts, RenderContext ctx) {
        switch (p.kind()) {
            case SANBOOT, INSTALL_WINDOWS:
                return Decoded.invalid("profile " + p.name() + " (" + p.kind().wire() + ") cannot boot under Secure Boot:"
                        + " GRUB has no iSCSI client (use a linux profile whose initramfs logs in, or chain a signed iPXE)");
            case LOCAL:
                return Decoded.valid("echo 'Chainboot: " + p.name() + ": booting from the local disk'\nexit\n");
            case MENU:
                return Decoded.valid("");
            default:
                break;
        }
        if (p.template() != null) {
            return Decoded.invalid("profile " + p.name() + " has a custom iPXE template, which GRUB cannot run");
        }
        Decoded<Map<String, Object>> data = values.data(p, spec, facts, ctx);
        if (data instanceof Decoded.Invalid<Map<String, Object>> bad) {
            return Decoded.invalid(bad.reason());
        }
        Map<String, Object> d = data.orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, String> params = (Map<String, String>) d.get("params");
        if (p.kind() == ProfileKind.CHAIN) {
            Decoded<String> u = tftpPath(p, "url", params.get("url"));
            return u.isValid() ? Decoded.valid("chainloader " + u.orElseThrow() + "\nboot\n") : u;
        }
        // LINUX
        if (Boolean.TRUE.equals(d.get("sanhook"))) {
            return Decoded.invalid("profile " + p.name() + ": sanhook needs iPXE (GRUB has no iSCSI client)");
        }
        Decoded<String> kernel = tftpPath(p, "kernel", params.get("kernel"));
        if (!kernel.isValid()) {
            return kernel;
        }
        StringBuilder s = new StringBuilder("echo 'Chainboot: " + p.name() + ": loading the kernel'\nlinux ")
                .append(kernel.orElseThrow());
        String cmdline = (String) d.get("cmdline");
        if (cmdline.indexOf('\'') >= 0) {
            return Decoded.invalid("profile " + p.name() + ": a GRUB command line cannot hold a ' character");
        }
        for (String word : cmdline.split(" +")) {
            if (!word.isEmpty()) {
                s.append(" '").append(word).append('\'');
            }
        }
        s.append('\n');
        String initrd = params.get("initrd");
        if (initrd != null && !initrd.isBlank()) {
            List<String> files = new ArrayList<>();
            for (String one : initrd.split(",")) {
                Decoded<String> f = tftpPath(p, "initrd", one.strip());
                if (!f.isValid()) {
                    return f;
                }
                files.add(f.orElseThrow());
            }
            s.append("echo 'Chainboot: ").append(p.name()).append(": loading the initrd'\ninitrd ")
                    .append(String.join(" ", files)).append('\n');
        }
        s.append("boot\n");
        return Decoded.valid(s.toString());
    }

    /** A file GRUB reads over TFTP: the relative path in the TFTP root; URLs cannot be read. */
    private static Decoded<String> tftpPath(Profile p, String what, String value) {
        if (value == null || value.isBlank()) {
            return Decoded.invalid("params." + what + " is missing");
        }
        if (value.contains("://")) {
            return Decoded.invalid("profile " + p.name() + ": params." + what + " is a URL, and GRUB on the Secure Boot"
                    + " path reads only TFTP: give a path in the TFTP root");
        }
        String path = value.startsWith("/") ? value.substring(1) : value;
        if (!PATH.matcher(path).matches() || path.contains("..")) {
            return Decoded.invalid("profile " + p.name() + ": params." + what + " must be a plain path (letters, digits, ._+/-)");
        }
        return Decoded.valid("/" + path);
    }

    /** The failure configuration: prints the reason, waits the retry delay, asks again for the same file. */
    public RenderOutcome.Failure failure(BootFacts facts, String profile, RenderContext ctx, String reason) {
        String who = facts == null ? "this machine" : facts.mac().toString();
        String again = facts == null ? "/grub/grub.cfg" : "/" + machineFile(facts.mac());
        String text = "# Chainboot could not prepare a GRUB configuration for " + who + "\n"
                + "echo 'Chainboot could not prepare a boot configuration for " + who + ":'\n"
                + "echo '" + safe(reason) + "'\n"
                + "echo 'Retrying in " + ctx.retryDelaySeconds() + " seconds'\n"
                + "sleep " + ctx.retryDelaySeconds() + "\n"
                + "configfile " + again + "\n";
        return new RenderOutcome.Failure(text, profile, reason);
    }

    /** Text for inside single quotes or a comment: printable ASCII, no quote, at most 200 characters. */
    static String safe(String text) {
        StringBuilder b = new StringBuilder();
        for (char c : text.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
            if (b.length() == 200) {
                break;
            }
        }
        return b.toString();
    }

    private static int parseTimeout(String s) {
        try {
            return Math.max(0, Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
