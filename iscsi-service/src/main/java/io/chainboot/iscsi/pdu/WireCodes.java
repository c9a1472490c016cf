package io.chainboot.iscsi.pdu;

import java.util.function.ToIntFunction;

/** Indexes an enum of wire codes by number and fails fast on a duplicate (like {@link Opcode}). */
final class WireCodes {
    private WireCodes() {}

    static <E extends Enum<E>> E[] index(E[] values, ToIntFunction<E> code, int size) {
        @SuppressWarnings("unchecked")
        E[] by = (E[]) java.lang.reflect.Array.newInstance(values.getClass().getComponentType(), size);
        for (E e : values) {
            int c = code.applyAsInt(e);
            if (by[c] != null) {
                throw new IllegalStateException("duplicate wire code " + c + ": " + by[c] + ", " + e);
            }
            by[c] = e;
        }
        return by;
    }
}
