package io.chainboot.iscsi.targets;

import io.chainboot.iscsi.login.LoginStatus;

import java.util.Optional;

/** Whether an initiator may log in to a target (the registry's one decision), and with which CHAP. */
public sealed interface Access {

    record Allowed(Target target, Optional<ChapCredentials> chap) implements Access {
    }

    record Refused(LoginStatus status, String reason) implements Access {
    }

    /** What the initiator must prove (CHAP user + secret) and what the target answers with in mutual CHAP. */
    record ChapCredentials(String user, String secret, Optional<String> mutualUser, Optional<String> mutualSecret) {
    }
}
