package io.chainboot.iscsi;

import io.chainboot.common.testing.FixedMachines;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

/** The machines view of iscsi-service's {@code @QuarkusTest}s: empty until a test puts specs in it. */
@Alternative
@Priority(1)
@ApplicationScoped
public class SwitchableMachines extends FixedMachines {
}
