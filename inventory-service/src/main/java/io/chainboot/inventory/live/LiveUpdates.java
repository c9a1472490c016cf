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

    public void changed(List<MachineView> views) {
        for (MachineView v : views) {
            processor.onNext(v);
        }
    }

    public Multi<MachineView> stream() {
        return processor.onOverflow().drop();
    }
}
