package io.continuum.notification.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** The identity of this running replica. */
@ApplicationScoped
public class ReplicaId {

    private final String id;

    public ReplicaId(NotificationConfig config) {
        this.id = config.replicaId().filter(s -> !s.isBlank())
                .orElseGet(() -> "r-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public String get() {
        return id;
    }
}
