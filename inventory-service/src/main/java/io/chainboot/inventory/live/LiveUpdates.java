package io.chainboot.inventory.live;

import io.chainboot.inventory.query.MachineView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fans committed changes out to every open console stream (no replay: the page loads what it shows
 * first). Three kinds of change, each its own server-sent event name ({@code GET /api/stream}):
 * a machine row that changed — a boot event consumed here, or a write through the API
 * ({@code machine}, the default event: as in {@code GET /api/machines}); a machine deleted
 * ({@code deleted}); and after every write through the entry point — machine, image, disk, profile
 * or token — {@code changed}: kind, id, method, status, never the caller. {@code ping} opens the
 * stream at once and every 15 s keeps idle proxies from closing it.
 */
@ApplicationScoped
public class LiveUpdates {
    /** One element of the stream. */
    public sealed interface Message {
    }

    public record Row(MachineView machine) implements Message {
    }

    public record Deleted(String mac) implements Message {
    }

    public record Changed(String kind, String id, String method, int status) implements Message {
    }

    public record Ping() implements Message {
    }

    private final BroadcastProcessor<Message> processor = BroadcastProcessor.create();
    private final AtomicInteger watching = new AtomicInteger();

    /** Whether any stream is open: without one, the consumer skips building the views. */
    public boolean watched() {
        return watching.get() > 0;
    }

    public void changed(List<MachineView> views) {
        for (MachineView v : views) {
            processor.onNext(new Row(v));
        }
    }

    public void deleted(String mac) {
        processor.onNext(new Deleted(mac));
    }

    public void entityChanged(String kind, String id, String method, int status) {
        processor.onNext(new Changed(kind, id, method, status));
    }

    public Multi<Message> stream() {
        Multi<Message> ticks = Multi.createFrom().ticks().every(Duration.ofSeconds(15))
                .onItem().<Message>transform(t -> new Ping()).onOverflow().drop();
        return Multi.createBy().merging().streams(Multi.createFrom().<Message>item(new Ping()), ticks, processor.onOverflow().drop())
                .onSubscription().invoke(s -> watching.incrementAndGet())
                .onTermination().invoke(() -> watching.decrementAndGet());
    }
}
