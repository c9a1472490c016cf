package io.chainboot.infra.launcher;

import io.chainboot.infra.launcher.LaunchPlan.PortUse;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Every port must be free before anything starts, so a clash is reported by name, not as a crashed service. */
final class PortCheck {
    private PortCheck() {
    }

    /** The first port of {@code ports} that cannot be bound, as one line naming it, its component and its holder. */
    static Optional<String> firstProblem(List<PortUse> ports) {
        for (PortUse p : ports) {
            Optional<String> problem = problem(p);
            if (problem.isPresent()) {
                return Optional.of("port " + p + " (" + p.component() + ") " + problem.get());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> problem(PortUse p) {
        try {
            if (p.protocol().equals("udp")) {
                try (DatagramSocket s = new DatagramSocket(null)) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(p.port()));
                }
            } else {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(p.port()));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            String who = owner(p);
            return Optional.of("is in use" + (who.isEmpty() ? "" : " by " + who) + " (" + e.getMessage() + ")");
        }
    }

    /** Best effort: the process that holds a port, as {@code ss -p} tells it; empty if unknown. */
    private static String owner(PortUse p) {
        try {
            Process ss = new ProcessBuilder("ss", "-Hlnp", p.protocol().equals("udp") ? "-u" : "-t", "sport = :" + p.port())
                    .redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor(3, TimeUnit.SECONDS);
            return ownerIn(out);
        } catch (IOException e) {
            return ""; // no ss: fine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The {@code users:((…))} part of an {@code ss -p} line, quotes removed: {@code dnsmasq,pid=812,fd=4}. Pure. */
    static String ownerIn(String ssOutput) {
        int i = ssOutput.indexOf("users:((");
        if (i < 0) {
            return "";
        }
        int end = ssOutput.indexOf(')', i);
        return ssOutput.substring(i + 8, end < 0 ? ssOutput.length() : end).replace("\"", "");
    }
}
