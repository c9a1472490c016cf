package io.chainboot.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the project's build put the Kafka classpath and the PostgreSQL binaries (module infra-runtime). */
public final class InfraPaths {
    private InfraPaths() {
    }

    /** The checkout root: {@code -Dchainboot.root}, {@code CHAINBOOT_ROOT}, or the nearest parent holding infra-runtime. */
    public static Path root() {
        String configured = System.getProperty("chainboot.root", System.getenv("CHAINBOOT_ROOT"));
        if (configured != null && !configured.isBlank() && Files.isDirectory(Paths.get(configured, "infra-runtime"))) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("infra-runtime"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the Chainboot checkout (no infra-runtime directory above "
                + Paths.get("").toAbsolutePath() + "); set CHAINBOOT_ROOT");
    }

    public static Path kafkaLibs() {
        Path lib = root().resolve("infra-runtime/target/lib");
        if (!Files.isRegularFile(lib.resolve("chainboot-kafka-main.jar"))) {
            throw new IllegalStateException("Kafka classpath not built: run ./mvnw -pl infra-runtime package (" + lib + ")");
        }
        return lib;
    }

    public static Path postgresBinariesJar() {
        return root().resolve("infra-runtime/target/postgres/postgres-binaries.jar");
    }
}
