package io.chainboot.iscsi.disk;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.nio.file.Path;
import java.util.Map;

/** Images and disks in a directory of this test run. */
public class DiskApiProfile implements QuarkusTestProfile {
    public static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "cb-iscsi-disks-" + ProcessHandle.current().pid());

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("chainboot.iscsi.images-dir", DIR.resolve("images").toString(),
                "chainboot.iscsi.disks-dir", DIR.resolve("disks").toString());
    }
}
