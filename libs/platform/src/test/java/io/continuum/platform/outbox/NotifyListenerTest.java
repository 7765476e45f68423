package io.continuum.platform.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continuum.platform.kafka.Backoff;
import io.continuum.testing.LocalStack;
import io.continuum.testing.TcpProxy;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox relay's LISTEN connection against the real PostgreSQL, reached through a {@link TcpProxy} that is down
 * when the listener starts (the database not reachable yet) and comes up later, then drops and returns. No Quarkus:
 * a plain Vert.x instance.
 */
class NotifyListenerTest {

    private static final String DB = "continuum_platform_test";

    private Vertx vertx;
    private TcpProxy database;
    private NotifyListener listener;

    @BeforeEach
    void setUp() {
        LocalStack.ensureInfra();
        vertx = Vertx.vertx();
        database = TcpProxy.reserve("127.0.0.1", 5432);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (listener != null) {
            listener.stop();
        }
        database.cut();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static PgConnectOptions options(int port) {
        return new PgConnectOptions().setHost("127.0.0.1").setPort(port).setDatabase(DB)
                .setUser("continuum").setPassword("continuum");
    }

    private void notifyDirectly(String channel) throws Exception {
        PgConnection c = PgConnection.connect(vertx, options(5432)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            c.query("select pg_notify('" + channel + "', 'x')").execute().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            c.close();
        }
    }

    @Test
    void aListenerThatCannotConnectAtStartConnectsOnceTheDatabaseIsReachableAndHearsNotify() throws Exception {
        String channel = "test_" + UUID.randomUUID().toString().replace("-", "");
        AtomicInteger woken = new AtomicInteger();
        listener = new NotifyListener(vertx, options(database.port()), channel,
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)), woken::incrementAndGet);
        listener.start();

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !listener.listening());

        database.restore();
        await().atMost(Duration.ofSeconds(30)).until(listener::listening);
        int afterConnect = woken.get();
        notifyDirectly(channel);
        await().atMost(Duration.ofSeconds(10)).until(() -> woken.get() > afterConnect);

        // dropped later: the reconnect policy brings it back
        database.cut();
        await().atMost(Duration.ofSeconds(10)).until(() -> !listener.listening());
        database.restore();
        await().atMost(Duration.ofSeconds(30)).until(listener::listening);
        int afterReconnect = woken.get();
        notifyDirectly(channel);
        await().atMost(Duration.ofSeconds(10)).until(() -> woken.get() > afterReconnect);
        assertThat(listener.listening()).isTrue();
    }
}
