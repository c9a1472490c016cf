package io.chainboot.infra;

/**
 * A third-party server Chainboot runs as a {@link ChildProcess} ({@link KafkaBroker},
 * {@link PostgresServer}): the child-process accessors and the stop they share, written once.
 * Subclasses set {@link #process} in their (synchronized) start.
 */
public abstract class ChildServer implements AutoCloseable {
    /** Seconds a server gets to stop on its own signal before it is killed. */
    static final int STOP_SECONDS = 20;

    protected ChildProcess process;

    /** The port clients connect to. */
    public abstract int port();

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The child process, null before the first start. */
    public ChildProcess process() {
        return process;
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            process.stop(STOP_SECONDS);
        }
    }
}
