package io.chainboot.iscsi.targets;

import io.chainboot.events.MacAddress;
import io.chainboot.iscsi.scsi.ScsiTarget;

import java.util.Optional;

/** A target that exists: its IQN, its SCSI target (LUNs) and, for machine disks, the machine's MAC. */
public record Target(String iqn, ScsiTarget scsi, Optional<MacAddress> mac) {
}
