package io.continuum.platform.entitlement;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code continuum.entitlements.*}: the local entitlement read model a service may keep from {@code billing.events}. */
@ConfigMapping(prefix = "continuum.entitlements")
public interface EntitlementsConfig {

    /** Whether this instance reads {@code billing.events} into {@link Entitlements}. Off unless a service needs it. */
    @WithDefault("false")
    boolean enabled();

    /** The topic carrying {@code continuum.billing.entitlement-changed.v1}. */
    @WithDefault("billing.events")
    String topic();

    /**
     * Where a starting instance begins reading: {@code beginning} (default; the read model needs the whole log) or
     * {@code end} (only changes from now on: for an instance that only needs to hear of changes, e.g. to drop a cached
     * copy it loads from the source of truth; its {@link Entitlements} then knows only those changes).
     */
    @WithDefault("beginning")
    Start start();

    enum Start { BEGINNING, END }

    /** Longest wait of one poll; also how often the consumer notices a stop or new partitions. */
    @WithDefault("500ms")
    Duration pollTimeout();

    /** How often the partition list of the topic is re-read. */
    @WithDefault("1m")
    Duration partitionRefresh();
}
