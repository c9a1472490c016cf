package io.chainboot.tftp.files;

import io.chainboot.tftp.codec.ErrorCode;

import java.nio.file.Path;

/** Where a requested name leads: a readable regular file inside the root, or a refusal with its TFTP error. */
public sealed interface Resolution {
    /** @param path the real path (symlinks resolved), inside the root */
    record Found(Path path, String name) implements Resolution {
    }

    record Refused(ErrorCode code, String reason) implements Resolution {
    }
}
