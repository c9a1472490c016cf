package io.chainboot.script;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark programs under bench/ are not part of the Maven build (their run.sh compiles or
 * launches them): this compiles each against this module's test classpath, so a change of the
 * code they drive fails here instead of when someone next runs the benchmark.
 */
class BenchSourcesCompileTest {
    @ParameterizedTest
    @ValueSource(strings = {"bench/script/Bench.java"})
    void compiles(String source, @org.junit.jupiter.api.io.TempDir Path out) throws IOException {
        Path file = Path.of("..").resolve(source);
        assertThat(file).isRegularFile();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-d", out.toString(), "-proc:none", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))), null,
                    files.getJavaFileObjects(file)).call();
            assertThat(ok).as("%s compiles: %s", source, diagnostics.getDiagnostics()).isTrue();
        }
        try (var written = Files.walk(out)) {
            assertThat(written.anyMatch(p -> p.toString().endsWith(".class"))).isTrue();
        }
    }
}
