package io.chainboot.iscsi.scsi;

/**
 * One I_T nexus (SAM-5 §4.7): an initiator port (iSCSI name + ISID) and a target port (target
 * name). Unit attentions are queued per nexus.
 */
public record Nexus(String initiatorName, String isid, String targetName) {}
