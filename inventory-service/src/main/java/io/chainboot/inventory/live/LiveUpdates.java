package io.chainboot.inventory.live;

import io.chainboot.inventory.query.MachineView;
import io.chainboot.inventory.query.Queries;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

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
 *
 * <p>Every change is also sent to the other inventory replicas ({@link ReplicaBus}, PostgreSQL
 * NOTIFY) and theirs come back here, so a console on any replica shows every change, whichever
 * replica consumed the boot event or took the write: machine rows travel as MACs and are read
 * from PostgreSQL by each replica that has a stream open.
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

    private static final Logger LOG = Logger.getLogger(LiveUpdates.class);
    private final BroadcastProcessor<Message> processor = BroadcastProcessor.create();
    private final AtomicInteger watching = new AtomicInteger();
    private final ReplicaBus bus;
    private final Queries queries;

    public LiveUpdates(ReplicaBus bus, Queries queries) {
        this.bus = bus;
        this.queries = queries;
    }

    void start(@Observes StartupEvent ev) {
        bus.start(this::fromReplica);
    }

    /** A change another replica committed: shown here as if made here. */
    void fromReplica(LiveNotice n) {
        switch (n.kind()) {
            case ROWS -> {
                if (watched()) {
                    queries.machines(n.macs()).forEach(v -> processor.onNext(new Row(v)));
                }
            }
            case DELETED -> processor.onNext(new Deleted(n.macs().get(0)));
            case CHANGED -> processor.onNext(n.changed());
        }
    }

    /**
     * Machines whose rows changed here (a batch of boot events stored): their rows to this replica's
     * streams when any is open, and their MACs to the other replicas, always (their consoles are not
     * known here).
     */
    public void machinesChanged(java.util.Collection<String> macs) {
        if (macs.isEmpty()) {
            return;
        }
        LiveNotice.rows(bus.self(), List.copyOf(macs)).forEach(bus::publish);
        if (watched()) {
            try {
                changed(queries.machines(macs), false);
            } catch (RuntimeException e) {
                LOG.debugf("live update skipped: %s", e.toString());
            }
        }
    }

    /** Whether any stream is open: without one, the consumer skips building the views. */
    public boolean watched() {
        return watching.get() > 0;
    }

    /** Machine rows changed through the API here: to this replica's streams and, as MACs, to the others. */
    public void changed(List<MachineView> views) {
        changed(views, true);
    }

    private void changed(List<MachineView> views, boolean tellReplicas) {
        for (MachineView v : views) {
            processor.onNext(new Row(v));
        }
        if (tellReplicas && !views.isEmpty()) {
            LiveNotice.rows(bus.self(), views.stream().map(MachineView::mac).toList()).forEach(bus::publish);
        }
    }

    public void deleted(String mac) {
        processor.onNext(new Deleted(mac));
        bus.publish(LiveNotice.deleted(bus.self(), mac));
    }

    public void entityChanged(String kind, String id, String method, int status) {
        Changed c = new Changed(kind, id, method, status);
        processor.onNext(c);
        bus.publish(LiveNotice.changed(bus.self(), c));
    }

    public Multi<Message> stream() {
        Multi<Message> ticks = Multi.createFrom().ticks().every(Duration.ofSeconds(15))
                .onItem().<Message>transform(t -> new Ping()).onOverflow().drop();
        return Multi.createBy().merging().streams(Multi.createFrom().<Message>item(new Ping()), ticks, processor.onOverflow().drop())
                .onSubscription().invoke(s -> watching.incrementAndGet())
                .onTermination().invoke(() -> watching.decrementAndGet());
    }
}
