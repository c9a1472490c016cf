package io.chainboot.script.profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * At start, a profiles directory with refused files stops the service (each problem is logged at
 * ERROR on its own line for {@code ./chainboot up}; LauncherTest checks what up prints), unless
 * {@code refuse-bad-profiles} is off; the checks are the API's (ProfileParser.check, ProfileSet.of).
 */
class ProfileStartCheckTest {
    @TempDir
    Path dir;

    @Test
    void badFilesStopTheStartCountingEveryProblem() throws IOException {
        Files.writeString(dir.resolve("good.yaml"), "name: good\nkind: local\n");
        Files.writeString(dir.resolve("typo.yaml"), "name: typo\nkind: local\nkernal: k\n");
        Files.writeString(dir.resolve("menu2.yaml"), "name: menu2\nkind: menu\nitems: [{profile: ghost}]\n");
        assertThatThrownBy(() -> new ProfileCatalog(dir, 0, true)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("2 profile problem(s) in " + dir);
        ProfileCatalog lenient = new ProfileCatalog(dir, 0, false);
        assertThat(lenient.current().byName()).containsKeys("good", "menu2").doesNotContainKey("typo");
        assertThat(lenient.current().problems()).hasSize(2);
    }

    @Test
    void aDirectoryOfGoodFilesOrNoneStarts() throws IOException {
        assertThat(new ProfileCatalog(dir.resolve("missing"), 0, true).current().byName()).containsKeys("menu", "local");
        Files.writeString(dir.resolve("good.yaml"), "name: good\nkind: local\n");
        assertThat(new ProfileCatalog(dir, 0, true).current().get("good")).isPresent();
    }
}
