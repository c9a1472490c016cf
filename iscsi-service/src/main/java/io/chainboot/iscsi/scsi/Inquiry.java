package io.chainboot.iscsi.scsi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** INQUIRY data (SPC-4 §6.6): standard data and the vital product data pages of SPC-4 §7.8 and SBC-3 §6.5. */
final class Inquiry {
    private Inquiry() {}

    static final String VENDOR = "CHAINBT ";          // 8 bytes, T10 vendor identification
    static final String PRODUCT = "Chainboot Disk  "; // 16 bytes
    static final String REVISION = "0001";            // 4 bytes

    static final int[] SUPPORTED_VPD = {0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2};

    /**
     * Logical blocks per physical block exponent, 0: 512-byte physical blocks. (The files' 4 KiB
     * allocation unit is advertised as the optimal transfer and unmap granularity instead; with a
     * non-zero exponent libiscsi's GetLBAStatus.UnmapSingle expects descriptors SBC-3 forbids.)
     */
    static final int LBPPBE = 0;
    /** 4 KiB: the file system's allocation unit, as optimal granularity. */
    static final int GRANULARITY_BLOCKS = 8;
    /** Block Limits values (SBC-3 §6.5.3). */
    static final int MAX_TRANSFER_BLOCKS = 16384;     // 8 MiB
    static final int OPTIMAL_TRANSFER_BLOCKS = 256;   // 128 KiB
    static final long MAX_WRITE_SAME_BLOCKS = 32768;  // 16 MiB
    static final int MAX_UNMAP_DESCRIPTORS = 256;
    /** MAXIMUM COMPARE AND WRITE LENGTH (blocks; the field is one byte). */
    static final int MAX_COMPARE_AND_WRITE_BLOCKS = 255;

    /** Standard INQUIRY data; {@code present} false gives peripheral qualifier 011b, type 1Fh (no LU). */
    static byte[] standard(boolean present) {
        byte[] d = new byte[74];
        d[0] = (byte) (present ? 0x00 : 0x7F); // qualifier 000b/011b, device type 00h direct access / 1Fh
        d[1] = 0x00;                            // RMB = 0: not removable
        d[2] = 0x06;                            // VERSION: SPC-4
        d[3] = 0x12;                            // HISUP = 1, RESPONSE DATA FORMAT = 2
        d[4] = (byte) (d.length - 5);           // ADDITIONAL LENGTH
        d[5] = 0x00;                            // no TPGS, no 3PC, no PROTECT
        d[6] = 0x00;
        d[7] = 0x02;                            // CMDQUE
        ascii(d, 8, VENDOR, 8);
        ascii(d, 16, PRODUCT, 16);
        ascii(d, 32, REVISION, 4);
        // version descriptors (SPC-4 Table 144)
        Cdb.put16(d, 58, 0x00A0); // SAM-5
        Cdb.put16(d, 60, 0x0960); // iSCSI
        Cdb.put16(d, 62, 0x0460); // SPC-4
        Cdb.put16(d, 64, 0x04C0); // SBC-3
        return d;
    }

    static byte[] supportedPages() {
        byte[] d = new byte[4 + SUPPORTED_VPD.length];
        d[1] = 0x00;
        d[3] = (byte) SUPPORTED_VPD.length;
        for (int i = 0; i < SUPPORTED_VPD.length; i++) {
            d[4 + i] = (byte) SUPPORTED_VPD[i];
        }
        return d;
    }

    /** Unit Serial Number page (SPC-4 §7.8.15). */
    static byte[] unitSerial(String serial) {
        byte[] s = printable(serial, 32);
        byte[] d = new byte[4 + s.length];
        d[1] = (byte) 0x80;
        d[3] = (byte) s.length;
        System.arraycopy(s, 0, d, 4, s.length);
        return d;
    }

    /**
     * Device Identification page (SPC-4 §7.8.6): NAA 6 and T10 vendor ID designators of the LU,
     * the relative target port, and the SCSI name string of the target device.
     */
    static byte[] deviceIdentification(LogicalUnit lu, String targetName) {
        byte[] t10 = (VENDOR + new String(printable(lu.device.serial(), 32), StandardCharsets.US_ASCII))
                .getBytes(StandardCharsets.US_ASCII);
        byte[] name = targetName.getBytes(StandardCharsets.UTF_8);
        int nameLen = (name.length + 1 + 3) & ~3; // null-terminated, padded to a multiple of 4
        int len = 4 + (4 + 16) + (4 + t10.length) + (4 + 4) + (4 + nameLen);
        byte[] d = new byte[len];
        d[1] = (byte) 0x83;
        Cdb.put16(d, 2, len - 4);
        int p = 4;
        // NAA: code set binary, association LU, type 3
        d[p] = 0x01;
        d[p + 1] = 0x03;
        d[p + 3] = 16;
        System.arraycopy(lu.naa, 0, d, p + 4, 16);
        p += 20;
        // T10 vendor ID: code set ASCII, association LU, type 1
        d[p] = 0x02;
        d[p + 1] = 0x01;
        d[p + 3] = (byte) t10.length;
        System.arraycopy(t10, 0, d, p + 4, t10.length);
        p += 4 + t10.length;
        // relative target port: protocol iSCSI (5), PIV, association target port, type 4
        d[p] = 0x51;
        d[p + 1] = (byte) 0x94;
        d[p + 3] = 4;
        Cdb.put16(d, p + 6, 1);
        p += 8;
        // SCSI name string: protocol iSCSI, UTF-8, PIV, association target device, type 8
        d[p] = 0x53;
        d[p + 1] = (byte) 0xA8;
        d[p + 3] = (byte) nameLen;
        System.arraycopy(name, 0, d, p + 4, name.length);
        return d;
    }

    /** Block Limits page (SBC-3 §6.5.3). */
    static byte[] blockLimits(BlockDevice dev) {
        byte[] d = new byte[64];
        d[1] = (byte) 0xB0;
        d[3] = 0x3C;
        d[4] = 0;                                            // WSNZ = 0: WRITE SAME of 0 blocks = to the end
        d[5] = (byte) MAX_COMPARE_AND_WRITE_BLOCKS;
        Cdb.put16(d, 6, GRANULARITY_BLOCKS);                        // OPTIMAL TRANSFER LENGTH GRANULARITY
        Cdb.put32(d, 8, MAX_TRANSFER_BLOCKS);
        Cdb.put32(d, 12, OPTIMAL_TRANSFER_BLOCKS);
        if (dev.isThin()) {
            Cdb.put32(d, 20, 0xFFFFFFFFL);                   // MAXIMUM UNMAP LBA COUNT: no limit
            Cdb.put32(d, 24, MAX_UNMAP_DESCRIPTORS);
            Cdb.put32(d, 28, GRANULARITY_BLOCKS);                   // OPTIMAL UNMAP GRANULARITY
            Cdb.put32(d, 32, 0x80000000L);                   // UGAVALID, alignment 0
        }
        Cdb.put64(d, 36, MAX_WRITE_SAME_BLOCKS);
        return d;
    }

    /** Block Device Characteristics page (SBC-3 §6.5.2). */
    static byte[] blockDeviceCharacteristics() {
        byte[] d = new byte[64];
        d[1] = (byte) 0xB1;
        d[3] = 0x3C;
        Cdb.put16(d, 4, 1); // MEDIUM ROTATION RATE: non-rotating medium
        return d;
    }

    /** Logical Block Provisioning page (SBC-3 §6.5.4). */
    static byte[] logicalBlockProvisioning(BlockDevice dev) {
        byte[] d = new byte[8];
        d[1] = (byte) 0xB2;
        d[3] = 4;
        if (dev.isThin()) {
            int b = 0x80 | 0x40 | 0x20; // LBPU, LBPWS, LBPWS10
            if (dev.unmappedReadsZero()) {
                b |= 0x04;              // LBPRZ
            }
            d[5] = (byte) b;
            d[6] = 0x02;                // PROVISIONING TYPE: thin
        }
        return d;
    }

    private static void ascii(byte[] d, int off, String s, int len) {
        byte[] b = printable(s, len);
        Arrays.fill(d, off, off + len, (byte) ' ');
        System.arraycopy(b, 0, d, off, b.length);
    }

    /** ASCII 0x20..0x7E only (SPC-4 §4.4.1), truncated to {@code max}. */
    static byte[] printable(String s, int max) {
        byte[] out = new byte[Math.min(s.length(), max)];
        for (int i = 0; i < out.length; i++) {
            char c = s.charAt(i);
            out[i] = (byte) (c >= 0x20 && c <= 0x7E ? c : '_');
        }
        return out;
    }
}
