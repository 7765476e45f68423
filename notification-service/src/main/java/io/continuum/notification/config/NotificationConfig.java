package io.continuum.notification.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** {@code continuum.notification.*}: typed settings of the notification-service. */
@ConfigMapping(prefix = "continuum.notification")
public interface NotificationConfig {

    /** This replica's id (defaults to a random one per start); shows in presence rows and fan-out headers. */
    Optional<String> replicaId();

    History history();

    Connection connection();

    Ingest ingest();

    Fanout fanout();

    Presence presence();

    interface Presence {
        /** Accounts with more live sockets than this get no presence frames (they read GET /presence). */
        @WithDefault("100")
        int fanoutLimit();
    }

    interface History {
        /** Frames kept per account (the newest ones). */
        @WithDefault("10000")
        int maxCount();

        /** Frames older than this are dropped. */
        @WithDefault("7d")
        Duration maxAge();

        /** How often the retention sweep runs. */
        @WithDefault("1m")
        Duration trimInterval();

        /** Most frames replayed in one resume; a device further behind is told to resync. */
        @WithDefault("5000")
        int maxReplay();
    }

    interface Connection {
        /** Frames queued for one socket before it counts as a slow consumer and is closed with a resume hint. */
        @WithDefault("1000")
        int outboundQueue();

        /** Writes handed to the socket at once (the rest wait in the queue, where latest-wins frames coalesce). */
        @WithDefault("64")
        int maxInFlight();

        /** A connection that sent nothing (not even a pong) for this long is closed as dead. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** Inbound messages per second a connection may send (token bucket refill rate). */
        @WithDefault("50")
        int rateLimit();

        /** Inbound burst allowance (bucket size). */
        @WithDefault("200")
        int rateBurst();

        /** Largest inbound text message in characters; a larger one closes the socket with 1009 (message too big). */
        @WithDefault("16384")
        int maxInbound();

        /** Refused inbound messages (bad or rate limited) after which the connection is closed. */
        @WithDefault("50")
        int maxStrikes();
    }

    interface Ingest {
        /** Whether this replica consumes the public topics into account streams. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("notification-service")
        String group();

        @WithDefault("auth.events,state.events,billing.events,recommendation.events")
        java.util.List<String> topics();
    }

    interface Fanout {
        /** Whether frames are exchanged with other replicas through the fan-out topic. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("notification.stream")
        String topic();
    }
}
