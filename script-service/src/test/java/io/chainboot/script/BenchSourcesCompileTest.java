package io.chainboot.script;

import io.chainboot.common.testing.JavaSources;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

/** The benchmark programs under bench/ that drive this module compile against it (the build never compiles them). */
class BenchSourcesCompileTest {
    @ParameterizedTest
    @ValueSource(strings = {"bench/script/Bench.java"})
    void compiles(String source, @TempDir Path out) throws Exception {
        JavaSources.assertCompiles(Path.of("..").resolve(source), out);
    }
}
