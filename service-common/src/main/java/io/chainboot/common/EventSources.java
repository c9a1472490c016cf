package io.chainboot.common;

import io.chainboot.events.EventSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.InetAddress;

/** Produces this process's {@link EventSource}: the application name and the instance name. */
@ApplicationScoped
public class EventSources {

    @Produces
    @Singleton
    EventSource source(@ConfigProperty(name = "quarkus.application.name") String service, CommonConfig config) {
        return new EventSource(service, config.instance().orElseGet(EventSources::hostName));
    }

    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
