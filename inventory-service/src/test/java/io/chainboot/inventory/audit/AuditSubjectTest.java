package io.chainboot.inventory.audit;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AuditSubjectTest {
    @Test
    void theEntityComesFromThePathOrFromTheLocationOfWhatWasCreated() {
        assertThat(AuditSubject.of("/api/machines/52-54-00-AA-00-01", Optional.empty()))
                .isEqualTo(new AuditSubject("machine", "52:54:00:aa:00:01"));
        assertThat(AuditSubject.of("/api/machines", Optional.of("http://h:8080/api/machines/52:54:00:aa:00:02")))
                .isEqualTo(new AuditSubject("machine", "52:54:00:aa:00:02"));
        assertThat(AuditSubject.of("/api/tokens", Optional.of("/api/tokens/tok_0123"))).isEqualTo(new AuditSubject("token", "tok_0123"));
        assertThat(AuditSubject.of("/api/disks/52:54:00:aa:00:03/snapshots/s1/restore", Optional.empty()))
                .isEqualTo(new AuditSubject("disk", "52:54:00:aa:00:03"));
        assertThat(AuditSubject.of("/api/images/win11?path=win11.raw", Optional.empty())).isEqualTo(new AuditSubject("image", "win11"));
        assertThat(AuditSubject.of("/api/profiles/validate", Optional.empty())).isEqualTo(new AuditSubject("profile", null));
        assertThat(AuditSubject.of("/api/profiles/reload", Optional.empty()).label()).isEqualTo("profile");
        assertThat(AuditSubject.of("/api/profiles/lab-net", Optional.of("http://127.0.0.1:8081/api/profiles/lab-net")).label())
                .isEqualTo("profile:lab-net");
        assertThat(AuditSubject.of("/api/profiles/lab-net", Optional.empty())).isEqualTo(new AuditSubject("profile", "lab-net"));
        assertThat(AuditSubject.of("/api/nothing/here", Optional.empty())).isEqualTo(new AuditSubject("api", null));
        assertThat(AuditSubject.of("/api/machines/not-a-mac", Optional.empty())).isEqualTo(new AuditSubject("machine", "not-a-mac"));
        assertThat(AuditSubject.of("/api/disks/52:54:00:aa:00:04/promote?image=v2", Optional.empty()).label())
                .isEqualTo("disk:52:54:00:aa:00:04");
    }

    @Test
    void theOutcomeFollowsTheStatus() {
        assertThat(AuditEntry.outcome(201)).isEqualTo("done");
        assertThat(AuditEntry.outcome(204)).isEqualTo("done");
        assertThat(AuditEntry.outcome(403)).isEqualTo("refused");
        assertThat(AuditEntry.outcome(409)).isEqualTo("refused");
        assertThat(AuditEntry.outcome(502)).isEqualTo("failed");
    }
}
