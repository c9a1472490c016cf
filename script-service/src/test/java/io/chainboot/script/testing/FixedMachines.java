package io.chainboot.script.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

/** The machines view of script-service's {@code @QuarkusTest}s: exactly the machines a test puts in it. */
@Alternative
@Priority(1)
@ApplicationScoped
public class FixedMachines extends io.chainboot.common.testing.FixedMachines {
}
