package io.chainboot.iscsi.disk;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.common.CommonConfig;
import io.chainboot.events.EventSource;
import io.chainboot.iscsi.IscsiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/** The service's one {@link DiskStore}, on {@code chainboot.iscsi.images-dir} and {@code disks-dir}. */
@ApplicationScoped
public class DiskStores {
    @Produces
    @Singleton
    DiskStore diskStore(IscsiConfig config, CommonConfig common, BootEventPublisher events, EventSource source) {
        return new DiskStore(Path.of(config.imagesDir()), Path.of(config.disksDir()), config.overlayLimitBytes(), events, source,
                common.iqnPrefix());
    }
}
