package io.continuum.platform.outbox;

import io.continuum.platform.kafka.Backoff;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * A PostgreSQL LISTEN connection that stays up: a connection lost later is re-opened by the subscriber's reconnect
 * policy, and a first connect that fails (the database not reachable yet when the service starts) is retried here
 * with backoff until it succeeds. Without that retry the outbox relay would fall back to its slow backstop drain for
 * the life of the process.
 */
public final class NotifyListener {

    private static final Logger LOG = Logger.getLogger(NotifyListener.class);

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final String channel;
    private final Backoff backoff;
    private final Runnable onNotify;
    private volatile PgSubscriber subscriber;
    private volatile boolean running;

    /** {@code onNotify} runs on every NOTIFY and once each time the LISTEN is (re)established (to catch up). */
    public NotifyListener(Vertx vertx, PgConnectOptions options, String channel, Backoff backoff, Runnable onNotify) {
        this.vertx = vertx;
        this.options = options;
        this.channel = channel;
        this.backoff = backoff;
        this.onNotify = onNotify;
        this.subscriber = newSubscriber();
    }

    /**
     * A subscriber whose reconnect policy re-opens a connection lost later. A first connect that failed is retried
     * with a fresh subscriber: a PgSubscriber whose first connect failed does not complete a second connect() (seen
     * with Vert.x 4.5: the retry never answered, and the service stayed without LISTEN).
     */
    private PgSubscriber newSubscriber() {
        PgSubscriber s = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1_000L);
        s.channel(channel).handler(payload -> onNotify.run()).subscribeHandler(v -> {
            backoff.reset();
            LOG.infof("LISTEN %s established", channel);
            onNotify.run(); // rows committed while nobody listened
        });
        // called only when the subscriber gives up (never, with this policy) or is closed; a lost connection is
        // re-opened silently, and listening() reads the connection itself
        s.closeHandler(v -> {
            if (running && s == subscriber) {
                LOG.warnf("LISTEN %s ended", channel);
            }
        });
        return s;
    }

    public void start() {
        running = true;
        connect();
    }

    public void stop() {
        running = false;
        subscriber.close();
    }

    /** Whether the LISTEN connection is open now (false while it is being re-opened). */
    public boolean listening() {
        return running && !subscriber.closed() && subscriber.actualConnection() != null;
    }

    private void connect() {
        if (!running) {
            return;
        }
        PgSubscriber attempt = subscriber;
        attempt.connect().onFailure(e -> {
            Duration delay = backoff.advance();
            LOG.warnf("LISTEN connection failed (%s); retrying in %d ms", e.getMessage(), delay.toMillis());
            subscriber = newSubscriber();
            attempt.close();
            vertx.setTimer(Math.max(1, delay.toMillis()), t -> connect());
        });
    }
}
