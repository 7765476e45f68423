package io.continuum.platform.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "continuum.outbox")
public interface OutboxConfig {

    /** CloudEvents `source` of the events this service emits, e.g. {@code /continuum/auth-service}. */
    @WithDefault("/continuum/${quarkus.application.name}")
    String source();

    /**
     * Number of ordering lanes. An account always maps to the same lane and one relay at a time drains a
     * lane, so per-account order holds with any number of replicas. Changing it while rows are pending
     * may reorder those rows once.
     */
    @WithDefault("8")
    int lanes();

    /** Rows published per lane per round. */
    @WithDefault("500")
    int batchSize();

    /** Backstop drain interval, for a NOTIFY lost while the listener reconnects. */
    @WithDefault("2s")
    Duration backstopInterval();

    /** First retry delay after Kafka failed; doubles up to {@link #maxBackoff()}. */
    @WithDefault("200ms")
    Duration initialBackoff();

    @WithDefault("5s")
    Duration maxBackoff();

    /** Whether this instance runs a relay at all (tests of other concerns may turn it off). */
    @WithDefault("true")
    boolean relayEnabled();
}
