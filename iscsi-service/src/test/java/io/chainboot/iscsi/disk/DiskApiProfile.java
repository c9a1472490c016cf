package io.chainboot.iscsi.disk;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.nio.file.Path;
import java.util.Map;

/** Images, disks and the import directory in a directory of this test run; writes need {@link #SECRET}. */
public class DiskApiProfile implements QuarkusTestProfile {
    public static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "cb-iscsi-disks-" + ProcessHandle.current().pid());
    /** A small upload limit, so that the 413 tests send little. */
    public static final long UPLOAD_LIMIT = 8L << 20;
    public static final String SECRET = "cluster-secret-of-the-disk-api-test";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("chainboot.iscsi.images-dir", DIR.resolve("images").toString(),
                "chainboot.iscsi.disks-dir", DIR.resolve("disks").toString(),
                "chainboot.iscsi.import-dir", DIR.resolve("import").toString(),
                "chainboot.common.cluster-secret", SECRET,
                "chainboot.iscsi.upload-limit-bytes", String.valueOf(UPLOAD_LIMIT));
    }
}
