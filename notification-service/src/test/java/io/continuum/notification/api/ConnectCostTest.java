package io.continuum.notification.api;

import io.continuum.notification.support.PgRoundTrips;
import io.continuum.notification.support.WsClient;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What one connect costs PostgreSQL, in protocol round trips counted on the wire ({@link PgRoundTrips}: a proxy in
 * front of the real PostgreSQL, attributing each request to the account whose id it carries). Two common cases: a
 * device's first connect, and a device reconnecting with its seq and nothing to replay. "On the path" are the round
 * trips the device waits for before {@code live}; "batched" are the shared background statements the connect adds to
 * (cursor touches, presence snapshot), written once per tick for every connect of the tick.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
@QuarkusTestResource(value = PgRoundTrips.class, restrictToAnnotatedClass = true)
class ConnectCostTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann");
    static final TestUsers.User ANN = USERS.get("ann");

    @TestHTTPResource("/")
    URL root;
    @Inject
    Pool pool;

    private String base() {
        return root.toString().replaceAll("/$", "");
    }

    /**
     * The connect path, prepares aside (a statement is prepared once per pooled connection): the stream and cursor read
     * (1), in parallel with the presence transaction (BEGIN, advisory lock, insert + count, outbox row of the
     * "online" event, COMMIT: 5). No history read when there is nothing to replay. Was 8 executions + 6 prepares.
     */
    static final List<String> EXPECTED = List.of("with ins as ( insert into account_stream", "BEGIN", "select count(*) from (select pg_advisory_xact_lock",
            "with ins as ( insert into device_presence", "insert into outbox", "COMMIT");

    private static List<String> executions(List<PgRoundTrips.Trip> path) {
        return path.stream().filter(t -> !t.prepare())
                .map(t -> EXPECTED.stream().filter(t.sql()::startsWith).findFirst().orElse(t.sql())).toList();
    }

    private static boolean batched(PgRoundTrips.Trip t) {
        return t.sql().contains("unnest(") || t.sql().contains("min(connected_at)");
    }

    /** Waits for the batched statements of the tick, then splits the account's round trips. */
    private static List<PgRoundTrips.Trip> onPath(String label, String account) {
        PgRoundTrips wire = PgRoundTrips.current();
        try {
            // the tick's batched cursor write, and the presence transaction (beside the stream, not before "live")
            await().atMost(Duration.ofSeconds(10)).until(() -> wire.trips(account).stream().anyMatch(t -> t.sql().contains("unnest("))
                    && wire.trips(account).stream().anyMatch(t -> t.sql().startsWith("COMMIT")));
        } catch (RuntimeException e) {
            wire.trips(account).forEach(t -> System.out.printf("  so far: %s%n", t.brief()));
            throw e;
        }
        List<PgRoundTrips.Trip> all = wire.trips(account);
        List<PgRoundTrips.Trip> path = all.stream().filter(t -> !batched(t)).toList();
        System.out.printf("connect cost, %s: %d round trips on the path (%d of them prepares), %d batched%n", label, path.size(),
                path.stream().filter(PgRoundTrips.Trip::prepare).count(), all.size() - path.size());
        all.forEach(t -> System.out.printf("  %s %s%n", batched(t) ? "batched" : "path   ", t.brief()));
        return path;
    }

    private long presenceRows(String account) {
        return pool.preparedQuery("select count(*) from device_presence where account_id = $1").execute(Tuple.of(account))
                .await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
    }

    @Test
    void aFirstConnectAndAReconnectWithNothingToReplayCostAFewRoundTrips() {
        Tokens.TokenSet ann = ANN.signIn();
        String account = ann.subject();
        String device = "tv-" + UUID.randomUUID().toString().substring(0, 8);
        PgRoundTrips wire = PgRoundTrips.current();

        wire.watch(account);
        long seq;
        String epoch;
        try (WsClient tv = WsClient.to(base()).token(ann.accessToken()).device(device).connect()) {
            tv.awaitType("live");
            seq = tv.lastSeq();
            epoch = tv.welcome().path("epoch").asText();
            List<PgRoundTrips.Trip> first = onPath("first connect", account);
            assertThat(executions(first)).as("round trips of a first connect, prepares aside").isEqualTo(EXPECTED);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> presenceRows(account) == 0);

        wire.watch(account);
        try (WsClient tv = WsClient.to(base()).token(ann.accessToken()).device(device).resume(seq, epoch).connect()) {
            tv.awaitType("live");
            assertThat(tv.ofType("resync")).isEmpty();
            List<PgRoundTrips.Trip> again = onPath("reconnect with seq, nothing to replay", account);
            assertThat(executions(again)).as("round trips of a reconnect with nothing to replay, prepares aside")
                    .isEqualTo(EXPECTED);
        }
        // the same reconnect a few more times: the pooled connections have the statements prepared (printed only:
        // which pooled connection serves a statement is the pool's choice)
        for (int i = 0; i < 5; i++) {
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceRows(account) == 0);
            wire.watch(account);
            try (WsClient tv = WsClient.to(base()).token(ann.accessToken()).device(device).resume(seq, epoch).connect()) {
                tv.awaitType("live");
                assertThat(executions(onPath("reconnect " + (i + 2), account))).isEqualTo(EXPECTED);
            }
        }
    }
}
