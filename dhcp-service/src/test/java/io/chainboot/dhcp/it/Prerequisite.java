package io.chainboot.dhcp.it;

import java.io.File;

/** Fails (never skips) a test whose real client is not installed, naming the Debian package. */
final class Prerequisite {
    private Prerequisite() {
    }

    static void require(String command, String debianPackage) {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("this test needs root (network namespaces)");
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin").split(":")) {
            if (new File(dir, command).canExecute()) {
                return;
            }
        }
        for (String dir : new String[]{"/usr/sbin", "/sbin", "/usr/bin"}) {
            if (new File(dir, command).canExecute()) {
                return;
            }
        }
        throw new AssertionError(command + " is missing: apt-get install " + debianPackage);
    }
}
