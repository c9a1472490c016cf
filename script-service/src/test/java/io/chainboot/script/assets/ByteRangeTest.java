package io.chainboot.script.assets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ByteRangeTest {
    @Test
    void rangesPerRfc9110() {
        assertThat(ByteRange.parse(null, 100)).isEqualTo(new ByteRange.Whole());
        assertThat(ByteRange.parse("bytes=0-9", 100)).isEqualTo(new ByteRange.Part(0, 9));
        assertThat(ByteRange.parse("bytes=90-", 100)).isEqualTo(new ByteRange.Part(90, 99));
        assertThat(ByteRange.parse("bytes=-10", 100)).isEqualTo(new ByteRange.Part(90, 99));
        assertThat(ByteRange.parse("bytes=-1000", 100)).isEqualTo(new ByteRange.Part(0, 99));
        assertThat(ByteRange.parse("bytes=50-5000", 100)).isEqualTo(new ByteRange.Part(50, 99));
        assertThat(((ByteRange.Part) ByteRange.parse("bytes=10-19", 100)).contentRange(100)).isEqualTo("bytes 10-19/100");
        assertThat(ByteRange.parse("bytes=0-1,5-6", 100)).isEqualTo(new ByteRange.Whole());
        assertThat(ByteRange.parse("items=0-1", 100)).isEqualTo(new ByteRange.Whole());
    }

    @Test
    void unsatisfiable() {
        assertThat(ByteRange.parse("bytes=100-", 100)).isEqualTo(new ByteRange.Unsatisfiable());
        assertThat(ByteRange.parse("bytes=9-3", 100)).isEqualTo(new ByteRange.Unsatisfiable());
        assertThat(ByteRange.parse("bytes=-0", 100)).isEqualTo(new ByteRange.Unsatisfiable());
        assertThat(ByteRange.parse("bytes=x-3", 100)).isEqualTo(new ByteRange.Unsatisfiable());
        assertThat(ByteRange.parse("bytes=99999999999999999999-", 100)).isEqualTo(new ByteRange.Unsatisfiable());
        assertThat(ByteRange.parse("bytes=0-", 0)).isEqualTo(new ByteRange.Unsatisfiable());
    }

    @Test
    void pathsStayInsideTheRoot(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("assets"));
        Files.writeString(root.resolve("ok.bin"), "ok");
        Files.createDirectories(root.resolve("winpe/amd64"));
        Files.writeString(root.resolve("winpe/amd64/boot.wim"), "wim");
        Files.writeString(root.resolve(".secret"), "s");
        Files.writeString(tmp.resolve("outside"), "no");
        Files.createSymbolicLink(root.resolve("link"), tmp.resolve("outside"));
        AssetPaths paths = new AssetPaths(root);
        assertThat(paths.resolve("ok.bin")).isPresent();
        assertThat(paths.resolve("winpe/amd64/boot.wim")).isPresent();
        assertThat(paths.resolve("winpe%2Famd64%2Fboot.wim")).isPresent();
        for (String bad : new String[]{"../outside", "%2e%2e/outside", "winpe/../../outside", "..%2foutside", "/etc/passwd",
                "%2fetc%2fpasswd", "link", ".secret", "winpe", "winpe/", "", "a%00b", "..\\outside", "%zz", "nope.bin"}) {
            assertThat(paths.resolve(bad)).as(bad).isEmpty();
        }
    }
}
