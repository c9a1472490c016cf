package io.chainboot.common.api;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class InternalApiGuardTest {
    static final Optional<String> SECRET = Optional.of("s3cret-of-the-cluster");

    @Test
    void readsAndNonApiPathsPassWithoutAToken() {
        assertThat(InternalApiGuard.check("GET", "/api/images", null, SECRET)).isEmpty();
        assertThat(InternalApiGuard.check("HEAD", "/api/images", null, SECRET)).isEmpty();
        assertThat(InternalApiGuard.check("GET", "/q/health", null, SECRET)).isEmpty();
    }

    @Test
    void aWriteToAnyPathSpellingNeedsTheSecret() {
        for (String p : new String[] {"/api/images/x", "//api/images/x", "/x/../api/images/x", "/./api/disks", "/q/health", "/"}) {
            assertThat(InternalApiGuard.check("POST", p, null, SECRET)).as(p).isPresent();
        }
    }

    @Test
    void aWriteNeedsExactlyTheClusterSecret() {
        for (String m : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            assertThat(InternalApiGuard.check(m, "/api/images/x", null, SECRET)).get()
                    .extracting(Problem::status).isEqualTo(401);
            assertThat(InternalApiGuard.check(m, "/api/images/x", "Bearer wrong", SECRET)).get()
                    .extracting(Problem::type).isEqualTo("urn:chainboot:problem:unauthorized");
            assertThat(InternalApiGuard.check(m, "api/images/x", "Basic " + SECRET.get(), SECRET)).isPresent();
            assertThat(InternalApiGuard.check(m, "/api/images/x", "Bearer " + SECRET.get() + "x", SECRET)).isPresent();
            assertThat(InternalApiGuard.check(m, "/api/images/x", "bearer " + SECRET.get(), SECRET)).isEmpty();
        }
    }

    @Test
    void withNoSecretConfiguredEveryWriteIsRefused() {
        assertThat(InternalApiGuard.check("POST", "/api/profiles/reload", "Bearer ", Optional.empty())).get()
                .extracting(Problem::status).isEqualTo(403);
        assertThat(InternalApiGuard.check("POST", "/api/profiles/reload", "Bearer  ", Optional.of(" "))).get()
                .extracting(Problem::status).isEqualTo(403);
    }
}
