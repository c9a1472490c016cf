package io.chainboot.common.testing;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Compiles Java sources the Maven build does not (the benchmark programs under bench/, which their
 * run.sh compiles or launches) against the running test's classpath, so a change of the code
 * they drive fails a test instead of the next benchmark run.
 */
public final class JavaSources {
    private JavaSources() {
    }

    /** Compiles {@code source} into {@code out}; fails with the compiler's diagnostics. */
    public static void assertCompiles(Path source, Path out) throws IOException {
        if (!Files.isRegularFile(source)) {
            throw new AssertionError("no such source: " + source.toAbsolutePath());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        // surefire runs tests from a manifest-only jar: the real classpath is in this property
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            boolean ok = javac.getTask(null, files, diagnostics, List.of("-d", out.toString(), "-proc:none", "-cp", classpath),
                    null, files.getJavaFileObjects(source)).call();
            if (!ok) {
                throw new AssertionError(source + " does not compile: " + diagnostics.getDiagnostics());
            }
        }
        try (var written = Files.walk(out)) {
            if (written.noneMatch(p -> p.toString().endsWith(".class"))) {
                throw new AssertionError(source + " compiled to no class file");
            }
        }
    }
}
