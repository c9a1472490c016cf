package io.chainboot.iscsi.session;

/** 32-bit serial number arithmetic (RFC 1982), used for CmdSN/StatSN comparisons (RFC 7143 §4.2.2.1). */
public final class SerialNumbers {
    private SerialNumbers() {
    }

    public static boolean lessThan(int a, int b) {
        return a != b && (a - b) < 0;
    }

    public static boolean greaterThan(int a, int b) {
        return a != b && (a - b) > 0;
    }
}
