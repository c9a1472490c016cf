package io.chainboot.inventory.live;

import io.chainboot.inventory.query.MachineView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Fans committed machine changes out to every open dashboard stream (no replay: the page loads the list first). */
@ApplicationScoped
public class LiveUpdates {
    private final BroadcastProcessor<MachineView> processor = BroadcastProcessor.create();
    private final java.util.concurrent.atomic.AtomicInteger watching = new java.util.concurrent.atomic.AtomicInteger();

    /** Whether any dashboard stream is open: without one, the consumer skips building the views. */
    public boolean watched() {
        return watching.get() > 0;
    }

    public void changed(List<MachineView> views) {
        for (MachineView v : views) {
            processor.onNext(v);
        }
    }

    /**
     * Every change from now on, plus an empty element at once and every 15 s: the first makes the
     * HTTP response start immediately (so the browser's EventSource opens before any change), the
     * others keep idle proxies from closing the stream. Clients ignore elements without a MAC.
     */
    public Multi<MachineView> stream() {
        Multi<MachineView> ticks = Multi.createFrom().ticks().every(java.time.Duration.ofSeconds(15))
                .onItem().transform(t -> KEEP_ALIVE).onOverflow().drop();
        return Multi.createBy().merging().streams(Multi.createFrom().item(KEEP_ALIVE), ticks, processor.onOverflow().drop())
                .onSubscription().invoke(s -> watching.incrementAndGet())
                .onTermination().invoke(() -> watching.decrementAndGet());
    }

    static final MachineView KEEP_ALIVE = new MachineView(null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null);
}
