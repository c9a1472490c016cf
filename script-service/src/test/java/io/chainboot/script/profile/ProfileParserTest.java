package io.chainboot.script.profile;

import io.chainboot.events.Decoded;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileParserTest {

    static String reason(String yaml) {
        Decoded<Profile> d = ProfileParser.parse(yaml, "t");
        assertThat(d.isValid()).as("should be refused: " + yaml).isFalse();
        return ((Decoded.Invalid<Profile>) d).reason();
    }

    @Test
    void readsAFullMenu() {
        Profile p = ProfileParser.parse("""
                name: lab
                kind: menu
                description: Lab chooser
                priority: 5
                selector: {room: b12, platform: efi}
                params: {default: local, timeout: 3}
                items:
                  - {profile: local, label: Local disk, key: l}
                  - {profile: shell}
                """, "file.yaml").orElseThrow();
        assertThat(p.kind()).isEqualTo(ProfileKind.MENU);
        assertThat(p.priority()).isEqualTo(5);
        assertThat(p.selector()).isEqualTo(Map.of("room", "b12", "platform", "efi"));
        assertThat(p.params()).containsEntry("timeout", "3");
        assertThat(p.items()).containsExactly(new MenuItem("local", "Local disk", "l"), new MenuItem("shell", "shell", null));
        assertThat(p.selects(Map.of("room", "b12", "platform", "efi", "arch", "x86_64"))).isTrue();
        assertThat(p.selects(Map.of("room", "b12"))).isFalse();
    }

    @Test
    void refusesMistakesWithAReason() {
        assertThat(reason("name: x\nkind: linux\n")).isEqualTo("profile x: kind linux needs params.kernel");
        assertThat(reason("name: x\nkind: chain\n")).isEqualTo("profile x: kind chain needs params.url");
        assertThat(reason("name: x\nkind: menu\n")).isEqualTo("profile x: kind menu needs at least one item");
        assertThat(reason("name: x\nkind: floppy\n")).startsWith("profile x: kind must be one of");
        assertThat(reason("name: X Y\nkind: local\n")).startsWith("name must be");
        assertThat(reason("name: x\nkind: local\nkernal: k\n")).startsWith("unknown field 'kernal'");
        assertThat(reason("name: x\nkind: menu\nparams: {default: nope}\nitems: [{profile: local}]\n"))
                .isEqualTo("profile x: params.default 'nope' is not one of the items");
        assertThat(reason("name: x\nkind: local\ntemplate: \"{#if}\"\n")).contains("not a valid Qute template");
        assertThat(reason("name: x\nkind: linux\nparams: {kernel: k, cmdline: \"{#for}\"}\n")).contains("not a valid Qute template");
        assertThat(reason("name: x\nkind: linux\nparams: {kernel: k, sanhook: maybe}\n"))
                .isEqualTo("profile x: params.sanhook must be true or false, got 'maybe'");
        assertThat(reason("name: x\nkind: local\nitems: [{profile: local}]\n")).isEqualTo("profile x: items are only for kind menu");
        assertThat(reason("- a\n- b\n")).startsWith("a profile is a YAML mapping");
        assertThat(reason("name: [\n")).startsWith("not YAML");
    }

    @Test
    void catalogLoadsBuiltinsThenTheDirectoryAndReportsBadFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("menu.yaml"), "name: menu\nkind: menu\nitems: [{profile: local}, {profile: ghost}]\n");
        Files.writeString(dir.resolve("broken.yaml"), "name: broken\nkind: linux\n");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        ProfileSet set = ProfileCatalog.load(dir);
        assertThat(set.byName()).containsKeys("menu", "local", "sanboot", "install-windows", "netboot-xyz").doesNotContainKey("broken");
        assertThat(set.get("menu").orElseThrow().source()).isEqualTo(dir.resolve("menu.yaml").toString());
        assertThat(set.problems()).extracting(ProfileSet.Problem::reason)
                .containsExactlyInAnyOrder("profile broken: kind linux needs params.kernel", "menu menu: item ghost names no profile");
    }

    @Test
    void aChangedDirectoryIsReloaded(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ProfileCatalog catalog = new ProfileCatalog(dir, 0, true);
        assertThat(catalog.current().get("extra")).isEmpty();
        catalog.reloadIfChanged();
        Files.writeString(dir.resolve("extra.yaml"), "name: extra\nkind: local\n");
        catalog.reloadIfChanged();
        assertThat(catalog.current().get("extra")).isPresent();
        Files.delete(dir.resolve("extra.yaml"));
        catalog.reloadIfChanged();
        assertThat(catalog.current().get("extra")).isEmpty();
    }

    @Test
    void builtinsAreAllValid() {
        ProfileSet set = ProfileCatalog.load(Path.of("does-not-exist"));
        assertThat(set.problems()).isEmpty();
        assertThat(set.byName()).hasSize(ProfileCatalog.BUILTIN.size());
    }
}
