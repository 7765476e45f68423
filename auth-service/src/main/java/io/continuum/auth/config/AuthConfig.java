package io.continuum.auth.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** {@code continuum.auth.*}: typed settings of auth-service. */
@ConfigMapping(prefix = "continuum.auth")
public interface AuthConfig {

    KeycloakAdmin keycloak();

    Registration registration();

    Backchannel backchannel();

    Presence presence();

    KeycloakJobs keycloakJobs();

    /** The durable Keycloak side of revocations ({@code keycloak_job}): retried with backoff until Keycloak confirms. */
    interface KeycloakJobs {
        /** How often due jobs are looked for (each replica; a job is leased by one at a time). */
        @WithDefault("1s")
        Duration poll();

        /** Wait before the first retry; doubles per failed attempt up to {@link #maxBackoff()}. */
        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("5m")
        Duration maxBackoff();

        /** How long a replica running a job holds it before another may take it over (a crashed replica's jobs). */
        @WithDefault("1m")
        Duration lease();

        /** Jobs taken per poll. */
        @WithDefault("20")
        int batch();
    }

    /** Presence from notification-service ({@code continuum.presence.changed.v1} on {@code notification.events}). */
    interface Presence {
        @WithDefault("true")
        boolean enabled();

        /** Consumer group shared by the replicas of auth-service. */
        @WithDefault("auth-service-presence")
        String group();
    }

    /** The Keycloak admin API, called with the service account of a confidential client (never an admin password). */
    interface KeycloakAdmin {
        /** Base URL of Keycloak, e.g. {@code http://localhost:8180}. */
        String url();

        @WithDefault("continuum")
        String realm();

        @WithDefault("continuum-service")
        String clientId();

        String clientSecret();

        /** Timeout of one admin API call. */
        @WithDefault("5s")
        Duration timeout();

        /** Retries of a failed admin call (connection error or 5xx) before answering 503. */
        @WithDefault("2")
        int retries();
    }

    /** Per-account limit on device registrations (attempts), per instance. */
    interface Registration {
        @WithDefault("30")
        int limit();

        @WithDefault("1m")
        Duration window();
    }

    /** OIDC Back-Channel Logout: what a logout token must carry. */
    interface Backchannel {
        /** Expected {@code iss}: the realm's issuer. */
        String issuer();

        /** Accepted {@code aud} values: the clients whose back-channel logout URL points at auth-service. */
        @WithDefault("continuum-app")
        List<String> audience();

        /** Oldest acceptable {@code iat}; also how long a {@code jti} is remembered for the replay check. */
        @WithDefault("5m")
        Duration maxAge();

        @WithDefault("30s")
        Duration clockSkew();
    }
}
