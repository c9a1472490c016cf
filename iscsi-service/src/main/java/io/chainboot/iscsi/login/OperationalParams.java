package io.chainboot.iscsi.login;

/**
 * The negotiated operational parameters of a session and connection (RFC 7143 §13), initialised to
 * the RFC defaults. Mutable only while logging in, then read by the full feature phase.
 */
public final class OperationalParams {
    /** What the initiator can receive: bounds our Data-In/NOP-In/Text data segments (§13.12). */
    public int initiatorMaxRecvDataSegmentLength = 8192;
    /** What we declared we can receive (§13.12). */
    public int targetMaxRecvDataSegmentLength = 8192;
    public int maxBurstLength = 262144;
    public int firstBurstLength = 65536;
    public int maxOutstandingR2T = 1;
    public boolean initialR2T = true;
    public boolean immediateData = true;
    public boolean headerDigest;
    public boolean dataDigest;
    public int errorRecoveryLevel;
    public boolean dataPduInOrder = true;
    public boolean dataSequenceInOrder = true;
    public int defaultTime2Wait = 2;
    public int defaultTime2Retain = 20;
    public int maxConnections = 1;

    @Override
    public String toString() {
        return "MRDSL(i/t)=" + initiatorMaxRecvDataSegmentLength + "/" + targetMaxRecvDataSegmentLength
                + " MaxBurst=" + maxBurstLength + " FirstBurst=" + firstBurstLength + " MaxR2T=" + maxOutstandingR2T
                + " InitialR2T=" + initialR2T + " ImmediateData=" + immediateData
                + " HeaderDigest=" + (headerDigest ? "CRC32C" : "None") + " DataDigest=" + (dataDigest ? "CRC32C" : "None")
                + " ERL=" + errorRecoveryLevel;
    }
}
