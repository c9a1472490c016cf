package io.chainboot.script.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.chainboot.events.Decoded;
import io.chainboot.script.assets.AssetPaths;
import io.chainboot.script.assets.ByteRange;
import io.chainboot.script.boot.BootFacts;
import io.chainboot.script.profile.ProfileParser;
import io.chainboot.script.render.IpxeText;
import io.chainboot.script.render.RenderContext;
import io.chainboot.script.render.RenderOutcome;
import io.chainboot.script.render.ScriptRenderer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Jazzer fuzzing of everything that reads untrusted text: the /boot.ipxe query, Range headers,
 * asset paths and profile YAML. None may throw; an accepted query must render a script whose lines
 * are exactly the template's (no value adds a line); a byte range must lie inside the file.
 * Fuzzes for 10 s (JAZZER_FUZZ=1 in the module's surefire config), else replays the seeds.
 */
class UntrustedInputFuzzTest {
    static final ScriptRenderer RENDERER = new ScriptRenderer();
    static final RenderContext CTX = new RenderContext("http://10.0.0.1:8081", "10.0.0.1", 3260,
            "iqn.2026-01.io.chainboot", "cluster-secret-for-fuzz", 10);
    static final io.chainboot.script.profile.Profile LOCAL = ProfileParser.parse("name: local\nkind: local\n", "fuzz").orElseThrow();
    static final AssetPaths PATHS = new AssetPaths(Path.of("target/fuzz-assets"));

    @FuzzTest(maxDuration = "10s")
    void untrustedInputNeverThrowsNorInjects(FuzzedDataProvider in) {
        Map<String, String> q = new HashMap<>();
        for (String k : new String[]{"mac", "uuid", "arch", "platform", "hostname", "manufacturer", "serial", "profile"}) {
            if (in.consumeBoolean()) {
                q.put(k, in.consumeString(40));
            }
        }
        if (in.consumeBoolean()) {
            q.put("mac", "52-54-00-12-34-56");
        }
        Decoded<BootFacts> facts = BootFacts.parse(q::get);
        if (facts instanceof Decoded.Valid<BootFacts> v) {
            BootFacts f = v.value();
            for (String value : new String[]{f.uuid(), f.arch(), f.platform(), f.hostname(), f.profile()}) {
                if (value != null && !IpxeText.isToken(value)) {
                    throw new AssertionError("accepted a value that is not a safe token: " + value);
                }
            }
            RenderOutcome out = RENDERER.render(LOCAL, null, f, CTX);
            if (out.script().split("\n", -1).length != 5) {
                throw new AssertionError("a value changed the script's lines:\n" + out.script());
            }
        } else {
            String reason = ((Decoded.Invalid<BootFacts>) facts).reason();
            String script = RENDERER.failure(null, null, CTX, reason + in.consumeString(60)).script();
            if (script.split("\n", -1).length != 7) {
                throw new AssertionError("a reason changed the error script's lines:\n" + script);
            }
        }

        long size = in.consumeLong(0, 1L << 40);
        ByteRange r = ByteRange.parse(in.consumeString(40), size);
        if (r instanceof ByteRange.Part p && (p.first() < 0 || p.last() >= size || p.first() > p.last())) {
            throw new AssertionError("range " + p + " outside a file of " + size + " bytes");
        }
        PATHS.resolve(in.consumeString(60)).ifPresent(path -> {
            if (!path.startsWith(PATHS.root().toAbsolutePath())) {
                throw new AssertionError("escaped the root: " + path);
            }
        });
        ProfileParser.parse(in.consumeRemainingAsString(), "fuzz");
    }
}
