package io.continuum.platform.revocation;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code continuum.revocation.*}: the revoked-session set every service keeps from {@code auth.events}. */
@ConfigMapping(prefix = "continuum.revocation")
public interface RevocationConfig {

    /** Whether this instance consumes {@code auth.events} and refuses revoked sessions. Tests of other concerns may turn it off. */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long a revoked session id is remembered after Keycloak confirmed it ended ({@code revocation-confirmed}):
     * at least the longest access-token lifetime (the realm's {@code accessTokenLifespan}, 5 min) plus clock skew.
     * After that no access token of the session can still be valid, and Keycloak refuses to refresh it, so
     * forgetting it is safe. Before the confirmation the session is never forgotten.
     */
    @WithDefault("10m")
    Duration retention();

    /** The topic carrying revocations. */
    @WithDefault("auth.events")
    String topic();

    /** Longest wait of one poll; also how often the consumer notices a stop or new partitions. */
    @WithDefault("500ms")
    Duration pollTimeout();

    /** How often the partition list of the topic is re-read (partitions may be added). */
    @WithDefault("1m")
    Duration partitionRefresh();
}
