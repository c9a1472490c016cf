package io.chainboot.infra.launcher;

import io.chainboot.infra.launcher.LaunchOptions.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point behind {@code ./chainboot} (which handles building, detaching and {@code logs}):
 *
 * <pre>
 *   Main supervise [up options]   -- the long-lived supervisor (run detached by ./chainboot up)
 *   Main plan [up options]        -- print what up would do, start nothing
 *   Main status STATE_DIR         -- live status of each component; exit 0 all UP, 3 otherwise
 * </pre>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Main supervise|plan [options] | status STATE_DIR");
            System.exit(2);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "supervise" -> System.exit(supervise(rest));
            case "plan" -> System.exit(plan(rest));
            case "status" -> System.exit(status(Path.of(rest.isEmpty() ? "state" : rest.get(0)).toAbsolutePath()));
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }

    private static LaunchPlan parse(List<String> args) throws UsageException {
        LaunchOptions o = LaunchOptions.parse(args, System.getenv(), Path.of("").toAbsolutePath());
        return LaunchPlan.of(o, HostFacts.probe());
    }

    private static int plan(List<String> args) {
        try {
            LaunchPlan p = parse(args);
            System.out.println("address " + p.address() + " interface " + p.interfaceName().orElse("-") + " netmask " + p.netmask()
                    + " dhcp-mode " + p.options().dhcpMode().name().toLowerCase() + " state " + p.options().state());
            p.notices().forEach(n -> System.out.println("notice: " + n));
            p.ports().forEach(u -> System.out.println("port " + u + " " + u.component()));
            return 0;
        } catch (UsageException e) {
            System.err.println("chainboot: " + e.getMessage());
            return 2;
        }
    }

    private static int supervise(List<String> args) throws Exception {
        Path stateGuess = null;
        LaunchPlan plan;
        try {
            plan = parse(args);
        } catch (UsageException e) {
            // the state directory is needed to report the failure; parse it alone
            stateGuess = stateOf(args);
            result(stateGuess, "failed " + e.getMessage());
            System.err.println("chainboot: " + e.getMessage());
            return 2;
        }
        Path state = plan.options().state();
        Files.createDirectories(state.resolve("run"));
        Files.writeString(state.resolve("run/supervisor.pid"), ProcessHandle.current().pid() + "\n");
        Supervisor s = new Supervisor(plan, Supervisor.checkoutRoot());
        String summary;
        try {
            summary = s.start();
        } catch (Supervisor.StartFailure e) {
            Supervisor.log("FAILED: " + e.getMessage());
            s.stopAll();
            result(state, "failed " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            Supervisor.log("FAILED: " + e);
            s.stopAll();
            result(state, "failed " + LogText.firstLines(String.valueOf(e.getMessage())));
            return 1;
        }
        Supervisor.log(summary);
        result(state, "ready\n" + summary);
        s.watch();
        return 0;
    }

    private static Path stateOf(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--state") && i + 1 < args.size()) {
                return Path.of(args.get(i + 1)).toAbsolutePath();
            }
            if (args.get(i).startsWith("--state=")) {
                return Path.of(args.get(i).substring(8)).toAbsolutePath();
            }
        }
        String env = System.getenv("CHAINBOOT_STATE");
        return Path.of(env != null && !env.isBlank() ? env : "state").toAbsolutePath();
    }

    /** {@code run/result}, read by ./chainboot up ({@link StateDirectory#RESULT_FILE}). */
    private static void result(Path state, String text) throws IOException {
        new StateDirectory(state).writeResult(text);
    }

    private static int status(Path state) {
        List<Status.Row> rows = Status.check(state);
        if (rows.isEmpty()) {
            System.out.println("chainboot is not running (no " + StateFile.path(state) + ")");
            return 3;
        }
        System.out.print(Status.format(rows));
        return rows.stream().allMatch(r -> r.health() == Status.Health.UP) ? 0 : 3;
    }
}
