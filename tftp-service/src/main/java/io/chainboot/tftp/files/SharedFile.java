package io.chainboot.tftp.files;

import java.nio.ByteBuffer;

/**
 * The bytes of one boot file as the client receives them, shared read-only by every transfer of
 * that file version: a read-only memory map for octet, a translated copy (made once) for netascii.
 * Call {@link #release()} when a transfer ends.
 */
public final class SharedFile {
    private final OpenFileCache owner;
    final OpenFileCache.Key key;
    private final ByteBuffer data;
    int refs;

    SharedFile(OpenFileCache owner, OpenFileCache.Key key, ByteBuffer data) {
        this.owner = owner;
        this.key = key;
        this.data = data.asReadOnlyBuffer();
    }

    /** Bytes the client will receive. */
    public long size() {
        return data.capacity();
    }

    /** A private view for one transfer (its own position and limit); no bytes are copied. */
    public ByteBuffer view() {
        return data.duplicate();
    }

    /** Bytes made for one request (a rendered GRUB configuration), not from the root: nothing to release. */
    public static SharedFile inMemory(byte[] bytes) {
        return new SharedFile(null, null, java.nio.ByteBuffer.wrap(bytes));
    }

    public void release() {
        if (owner != null) {
            owner.release(this);
        }
    }
}
