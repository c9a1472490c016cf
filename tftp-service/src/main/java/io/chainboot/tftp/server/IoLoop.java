package io.chainboot.tftp.server;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One selector thread: runs the socket handlers registered with it, the tasks handed to it, and
 * the retransmission timers of its transfers. Everything a transfer does happens on its loop, so
 * transfers need no locks.
 */
final class IoLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(IoLoop.class);

    /** A socket handler attached to a {@link SelectionKey}. */
    interface Handler {
        void onReady(SelectionKey key);
    }

    /** A timed thing on this loop. */
    interface Timed {
        /** Absolute {@link System#nanoTime()} deadline. */
        long deadline();

        void onDeadline(long now);
    }

    final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ArrayList<Timed> timed = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private long nextScan = Long.MAX_VALUE;
    private boolean scanScheduled;

    IoLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop()) {
            selector.wakeup();
        }
    }

    /** Loop thread only. */
    void addTimed(Timed t) {
        timed.add(t);
        long d = t.deadline();
        if (!scanScheduled || d - nextScan < 0) {
            nextScan = d;
            scanScheduled = true;
        }
    }

    /** Loop thread only. */
    void removeTimed(Timed t) {
        timed.remove(t);
    }

    int timedCount() {
        return timed.size();
    }

    @Override
    public void run() {
        try {
            while (running) {
                long waitMs = 0;
                if (scanScheduled) {
                    long waitNs = nextScan - System.nanoTime();
                    if (waitNs <= 0) {
                        waitMs = -1;
                    } else {
                        waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNs));
                    }
                }
                if (!tasks.isEmpty() || waitMs < 0) {
                    selector.selectNow(this::dispatch);
                } else {
                    selector.select(this::dispatch, waitMs);
                }
                Runnable r;
                while ((r = tasks.poll()) != null) {
                    runSafely(r);
                }
                if (scanScheduled && System.nanoTime() - nextScan >= 0) {
                    scan();
                }
            }
        } catch (Throwable t) {
            LOG.error("TFTP I/O loop died", t);
        } finally {
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            stopped.countDown();
        }
    }

    private void dispatch(SelectionKey key) {
        Object a = key.attachment();
        if (a instanceof Handler h && key.isValid()) {
            try {
                h.onReady(key);
            } catch (RuntimeException e) {
                LOG.error("TFTP handler failed", e);
            }
        }
    }

    private void scan() {
        long now = System.nanoTime();
        // iterate over a snapshot: a deadline may finish (remove) a transfer
        Object[] snapshot = timed.toArray();
        for (Object o : snapshot) {
            Timed t = (Timed) o;
            if (now - t.deadline() >= 0) {
                try {
                    t.onDeadline(now);
                } catch (RuntimeException e) {
                    LOG.error("TFTP timer failed", e);
                }
            }
        }
        scanScheduled = !timed.isEmpty();
        long min = Long.MAX_VALUE;
        boolean first = true;
        for (Timed t : timed) {
            long d = t.deadline();
            if (first || d - min < 0) {
                min = d;
                first = false;
            }
        }
        nextScan = min;
    }

    private static void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("TFTP loop task failed", e);
        }
    }

    void stop() {
        running = false;
        selector.wakeup();
        try {
            stopped.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
