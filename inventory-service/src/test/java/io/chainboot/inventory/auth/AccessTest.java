package io.chainboot.inventory.auth;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AccessTest {
    @Test
    void everyWriteWhateverItsPathNeedsAdmin() {
        for (String p : new String[] {"/api/machines", "//api/machines", "/x/../api/machines", "/api/./tokens", "/", "/q/health"}) {
            for (String m : new String[] {"POST", "PUT", "PATCH", "DELETE"}) {
                assertThat(Access.needed(m, p, false)).as(m + " " + p).contains(Role.ADMIN);
            }
        }
    }

    @Test
    void tokensNeedAdminEvenToReadOtherReadsAViewerOnlyWhenConfigured() {
        assertThat(Access.needed("GET", "//api/tokens", false)).contains(Role.ADMIN);
        assertThat(Access.needed("GET", "/api/x/../tokens/tok_1", false)).contains(Role.ADMIN);
        assertThat(Access.needed("GET", "/api/machines", false)).isEmpty();
        assertThat(Access.needed("GET", "/api/machines", true)).contains(Role.VIEWER);
        assertThat(Access.needed("GET", "/api/audit", false)).as("the audit trail is never anonymous").contains(Role.VIEWER);
        assertThat(Access.needed("GET", "/api/./audit", false)).contains(Role.VIEWER);
        assertThat(Access.needed("GET", "/", true)).isEmpty();
        assertThat(Access.needed("GET", "/q/health/ready", true)).isEmpty();
    }

    @Test
    void aViewerIsForbiddenAnUnknownCallerUnauthorized() {
        Caller viewer = new Caller("tok_1", "wall", Role.VIEWER);
        assertThat(Access.refuse(Role.ADMIN, Optional.empty())).get().extracting(p -> p.status()).isEqualTo(401);
        assertThat(Access.refuse(Role.ADMIN, Optional.of(viewer))).get().extracting(p -> p.status()).isEqualTo(403);
        assertThat(Access.refuse(Role.VIEWER, Optional.of(viewer))).isEmpty();
        assertThat(Access.refuse(Role.ADMIN, Optional.of(Caller.BOOTSTRAP))).isEmpty();
    }
}
