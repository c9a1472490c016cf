package io.chainboot.inventory.machines;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chainboot.events.Decoded;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.inventory.config.InventoryConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The declarative machines file ({@code chainboot.inventory.machines-file}), applied at start:
 * every machine in it is created or updated (origin {@code file}) and published through the
 * outbox. Machines absent from the file are left alone, unless
 * {@code chainboot.inventory.machines-file.prune=true}: then those the file created (origin
 * {@code file}) are deleted, with a tombstone on chainboot.machines — never machines created by
 * the API or registered on first sight. A file that does not parse stops the
 * start, with the reason: a half-applied GitOps file is worse than none.
 *
 * <pre>
 * machines:
 *   - mac: 52:54:00:12:34:56
 *     hostname: ws01
 *     profile: sanboot
 *     labels: {room: lab1}
 *     disk: {kind: OVERLAY, image: win11}
 * </pre>
 */
@ApplicationScoped
public class MachinesFile {
    private static final Logger LOG = Logger.getLogger(MachinesFile.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public record Document(List<MachineRequest> machines) {
    }

    void load(@Observes @Priority(10) StartupEvent ev, InventoryConfig config, MachineService service) {
        config.machinesFile().filter(s -> !s.isBlank()).ifPresent(f -> {
            Decoded<List<MachineSpec>> specs = parse(Path.of(f), Instant.now());
            if (specs instanceof Decoded.Invalid<List<MachineSpec>> bad) {
                throw new IllegalStateException("machines file " + f + ": " + bad.reason());
            }
            int[] r = apply(specs.orElseThrow(), config.machinesFilePrune(), service);
            LOG.infof("machines file %s: %d machines, %d created or changed, %d pruned", f, specs.orElseThrow().size(),
                    r[0], r[1]);
        });
    }

    /**
     * Creates or updates every declared machine (origin {@code file} when created here); with
     * {@code prune}, deletes the machines the file created that it no longer declares. Returns
     * {created or changed, pruned}.
     */
    public static int[] apply(List<MachineSpec> specs, boolean prune, MachineService service) {
        int changed = 0;
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (MachineSpec spec : specs) {
            declared.add(spec.mac().toString());
            if (service.put(spec, "file") != MachineService.Change.UNCHANGED) {
                changed++;
            }
        }
        return new int[] {changed, prune ? service.prune("file", declared) : 0};
    }

    /** Pure: the file's machines, or why it is not valid (first bad entry named). */
    public static Decoded<List<MachineSpec>> parse(Path file, Instant now) {
        Document doc;
        try {
            doc = YAML.readValue(Files.readAllBytes(file), Document.class);
        } catch (IOException e) {
            return Decoded.invalid("cannot read: " + e.getMessage());
        }
        List<MachineSpec> out = new ArrayList<>();
        if (doc == null || doc.machines() == null) {
            return Decoded.valid(out);
        }
        for (int i = 0; i < doc.machines().size(); i++) {
            MachineRequest r = doc.machines().get(i);
            try {
                if (r == null || r.mac() == null) {
                    return Decoded.invalid("machine #" + (i + 1) + " has no mac");
                }
                out.add(r.toSpec(MacAddress.parse(r.mac()), now));
            } catch (IllegalArgumentException e) {
                return Decoded.invalid("machine #" + (i + 1) + ": " + e.getMessage());
            }
        }
        return Decoded.valid(out);
    }
}
