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

    Admission admission();

    interface Admission {
        /** Sockets this replica holds at most; further upgrades get 503 with Retry-After. */
        @WithDefault("60000")
        int maxSockets();

        /** Heap in use after the last garbage collection (share of the maximum) above which upgrades get 503. */
        @WithDefault("0.9")
        double maxHeapRatio();

        /** The Retry-After of a refused upgrade (the SDK adds jitter). */
        @WithDefault("5s")
        Duration retryAfter();
    }

    interface Presence {
        /**
         * Presence frames are coalesced: the accounts whose devices came or went are collected and each gets one
         * snapshot frame per interval, however many devices changed.
         */
        @WithDefault("250ms")
        Duration frameInterval();

        /** Most devices listed in one presence snapshot frame (the rest: GET /api/notifications/presence). */
        @WithDefault("200")
        int snapshotLimit();
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

        /**
         * Most frames replayed in one resume; a device further behind is told to resync. Replay is demand-driven (a
         * page at a time, as the socket drains), so this bounds the time of a replay, not its memory.
         */
        @WithDefault("10000")
        int maxReplay();

        /** Frames read from history at once during a replay (the next page is read when the socket's queue drained). */
        @WithDefault("200")
        int replayPage();

        /** Most rows one retention statement deletes; a sweep runs such statements until nothing is left to drop. */
        @WithDefault("5000")
        int trimBatch();
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

        /**
         * Most connect reads (stream head and device cursor) sent to PostgreSQL in one statement; reads asked for
         * while {@link #openBatchesInFlight()} batches are out wait and leave together (StreamOpens).
         */
        @WithDefault("256")
        int openBatch();

        /** Batches of connect reads at PostgreSQL at once; a lone connect never waits for a batch to fill. */
        @WithDefault("2")
        int openBatchesInFlight();

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
