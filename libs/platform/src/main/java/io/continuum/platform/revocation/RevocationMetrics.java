package io.continuum.platform.revocation;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Gauges of the revoked-session set: {@code continuum.revocation.sessions} (refused now) and
 * {@code continuum.revocation.pending} (revoked, Keycloak's confirmation not seen yet: a value that stays above zero
 * means auth-service cannot reach Keycloak).
 */
@Startup
@ApplicationScoped
public class RevocationMetrics {

    public RevocationMetrics(RevokedSessions sessions, MeterRegistry registry) {
        Gauge.builder("continuum.revocation.sessions", sessions, RevokedSessions::size)
                .description("revoked sessions this instance refuses").register(registry);
        Gauge.builder("continuum.revocation.pending", sessions, RevokedSessions::pending)
                .description("revoked sessions whose end Keycloak has not confirmed yet").register(registry);
    }
}
