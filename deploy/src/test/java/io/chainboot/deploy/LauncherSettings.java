package io.chainboot.deploy;

import io.chainboot.infra.launcher.HostFacts;
import io.chainboot.infra.launcher.LaunchOptions;
import io.chainboot.infra.launcher.LaunchPlan;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every setting ./chainboot can pass a service: full DHCP mode with every optional value present. */
final class LauncherSettings {
    private LauncherSettings() {
    }

    static Map<String, String> fullModeSettings(String service) throws Exception {
        HostFacts host = new HostFacts(true, 1024, Map.of("br0", List.of(new HostFacts.Address("10.77.0.1", 24))), Optional.empty());
        LaunchOptions o = LaunchOptions.parse(List.of("--address", "10.77.0.1", "--dhcp-mode", "full", "--pool", "10.77.0.100-10.77.0.200",
                "--router", "10.77.0.254", "--dns", "10.77.0.53",
                "--v6-pool", "fd77::100-fd77::1ff", "--v6-prefix", "fd77::/64", "--address6", "fd77::1"), Map.of(), Path.of("/srv"));
        LaunchPlan plan = LaunchPlan.of(o, host);
        return plan.settings(service, new LaunchPlan.Runtime(Path.of("/srv/state"), "s", "t", "jdbc:postgresql://127.0.0.1:5433/chainboot",
                "chainboot", "p", Optional.of(Path.of("/srv/state/machines.yaml"))));
    }
}
