package io.chainboot.dhcp;

import io.chainboot.common.testing.JavaSources;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

/**
 * The storm benchmark's client (bench/storm/Storm.java: DHCP, TFTP, HTTP and iSCSI on the wire, JDK
 * only), which its run.sh and peer.sh compile with javac and the build otherwise never does.
 */
class BenchSourcesCompileTest {
    @ParameterizedTest
    @ValueSource(strings = {"bench/storm/Storm.java"})
    void compiles(String source, @TempDir Path out) throws Exception {
        JavaSources.assertCompiles(Path.of("..").resolve(source), out);
    }
}
