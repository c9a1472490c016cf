package io.chainboot.inventory.machines;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
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
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    void load(@Observes @Priority(10) StartupEvent ev, InventoryConfig config, MachineService service,
              MachineKnowledge knowledge) {
        config.machinesFile().filter(s -> !s.isBlank()).ifPresent(f -> {
            Decoded<List<MachineSpec>> specs = parse(Path.of(f), Instant.now());
            if (specs instanceof Decoded.Invalid<List<MachineSpec>> bad) {
                bad.reason().lines().forEach(l -> LOG.errorf("machines file %s: %s", f, l));
                throw new IllegalStateException("machines file " + f + ":\n" + bad.reason());
            }
            MachineChecks.Known known = knowledge.now();
            if (known.profiles().isEmpty()) {
                LOG.warnf("machines file %s: profiles not checked: script-service did not answer at start", f);
            }
            if (known.images().isEmpty()) {
                LOG.warnf("machines file %s: golden images not checked: iscsi-service did not answer at start", f);
            }
            List<String> problems = problems(specs.orElseThrow(), known);
            if (!problems.isEmpty()) {
                problems.forEach(l -> LOG.errorf("machines file %s: %s", f, l));
                throw new IllegalStateException("machines file " + f + ": " + problems.size() + " problem(s):\n"
                        + String.join("\n", problems));
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

    /**
     * Pure: the file's machines, or why it is not valid: one line per bad entry ({@code machine #2:
     * ...}), an unknown field named (a typo is not silently dropped), a MAC declared twice.
     */
    public static Decoded<List<MachineSpec>> parse(Path file, Instant now) {
        JsonNode doc;
        try {
            doc = YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            return Decoded.invalid("cannot read: " + e.getMessage());
        }
        List<MachineSpec> out = new ArrayList<>();
        if (doc == null || doc.isMissingNode() || doc.isNull()) {
            return Decoded.valid(out);
        }
        List<String> problems = new ArrayList<>();
        doc.fieldNames().forEachRemaining(n -> {
            if (!n.equals("machines")) {
                problems.add("unknown top-level field '" + n + "' (known: machines)");
            }
        });
        JsonNode machines = doc.path("machines");
        if (!machines.isMissingNode() && !machines.isNull() && !machines.isArray()) {
            problems.add("machines: must be a list");
        }
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (int i = 0; machines.isArray() && i < machines.size(); i++) {
            String at = "machine #" + (i + 1);
            try {
                MachineRequest r = YAML.treeToValue(machines.get(i), MachineRequest.class);
                if (r == null || r.mac() == null) {
                    problems.add(at + " has no mac");
                    continue;
                }
                MachineSpec spec = r.toSpec(MacAddress.parse(r.mac()), now);
                Integer first = seen.putIfAbsent(spec.mac().toString(), i + 1);
                if (first != null) {
                    problems.add(at + " (" + spec.mac() + "): mac: already declared by machine #" + first);
                }
                out.add(spec);
            } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
                problems.add(at + ": " + e.getPropertyName() + ": unknown field");
            } catch (IOException e) {
                problems.add(at + ": " + ((com.fasterxml.jackson.core.JsonProcessingException) e).getOriginalMessage());
            } catch (IllegalArgumentException | NullPointerException e) {
                problems.add(at + ": " + e.getMessage());
            }
        }
        return problems.isEmpty() ? Decoded.valid(out) : Decoded.invalid(String.join("\n", problems));
    }

    /**
     * Pure: every problem {@link MachineChecks} finds in the file's machines, one line each
     * ({@code machine #1 (52:54:00:..): profile: no profile 'x'}), and reserved IPs declared twice.
     */
    public static List<String> problems(List<MachineSpec> specs, MachineChecks.Known known) {
        List<String> out = new ArrayList<>();
        java.util.Map<String, String> reserved = new java.util.HashMap<>(known.reserved());
        java.util.Set<String> declared = new java.util.HashSet<>();
        specs.forEach(s -> declared.add(s.mac().toString()));
        reserved.values().removeIf(declared::contains); // the file's own machines are re-declared, not taken
        for (int i = 0; i < specs.size(); i++) {
            MachineSpec s = specs.get(i);
            MachineChecks.Known k = new MachineChecks.Known(known.profiles(), known.images(), known.subnet(), reserved);
            for (MachineChecks.FieldProblem p : MachineChecks.check(s, k)) {
                out.add("machine #" + (i + 1) + " (" + s.mac() + "): " + p);
            }
            if (s.reservedIp() != null) {
                reserved.putIfAbsent(s.reservedIp().toString(), s.mac().toString());
            }
        }
        return out;
    }
}
