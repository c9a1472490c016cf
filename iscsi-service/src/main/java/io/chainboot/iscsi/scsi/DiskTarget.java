package io.chainboot.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.IntFunction;

/** Placeholder while the command set is written: every command is INVALID COMMAND OPERATION CODE. */
final class DiskTarget implements ScsiTarget {
    private final String targetName;
    private final List<BlockDevice> luns;

    DiskTarget(String targetName, List<BlockDevice> luns) {
        this.targetName = targetName;
        this.luns = List.copyOf(luns);
    }

    @Override
    public ScsiResponse execute(ScsiRequest request) {
        return execute(request, ByteBuffer::allocate);
    }

    @Override
    public ScsiResponse execute(ScsiRequest request, IntFunction<ByteBuffer> dataInBuffers) {
        byte[] sense = new byte[18];
        sense[0] = 0x70;
        sense[2] = 0x05;
        sense[7] = 10;
        sense[12] = 0x20;
        return ScsiResponse.checkCondition(sense);
    }

    @Override
    public int dataOutLength(byte[] cdb) {
        return 0;
    }

    @Override
    public void lunReset(long lun) {}

    @Override
    public void targetReset() {}

    @Override
    public void nexusLost(Nexus nexus) {}

    @Override
    public String targetName() {
        return targetName;
    }

    @Override
    public int luns() {
        return luns.size();
    }
}
