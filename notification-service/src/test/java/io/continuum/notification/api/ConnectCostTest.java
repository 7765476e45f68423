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
import io.quarkus.vertx.VertxContextSupport;
import io.continuum.notification.live.PresenceService;
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

    @Inject
    PresenceService presence;

    private String base() {
        return root.toString().replaceAll("/$", "");
    }

    /**
     * The connect path, prepares aside (a statement is prepared once per pooled connection): the stream and cursor read,
     * the one round trip a device waits for before {@code live} (batched with the other connects of the moment, see
     * StreamOpens). No history read when there is nothing to replay. Was 8 executions + 6 prepares, then 6 (the
     * presence transaction on the path).
     */
    static final List<String> EXPECTED = List.of("with opening as (");

    /**
     * The presence transaction, beside the path and shared by every connect of its batch: BEGIN, the devices' advisory
     * locks and the rows + counts (sent together), the "online" events in one batch, COMMIT.
     */
    static final List<String> PRESENCE = List.of("BEGIN", "select count(*) from (select pg_advisory_xact_lock",
            "with input as (", "insert into outbox", "COMMIT");

    private static List<String> executions(List<PgRoundTrips.Trip> trips, List<String> names) {
        return trips.stream().filter(t -> !t.prepare())
                .map(t -> names.stream().filter(t.sql()::startsWith).findFirst().orElse(t.sql())).toList();
    }

    private static List<String> executions(List<PgRoundTrips.Trip> path) {
        return executions(path, EXPECTED);
    }

    /** The presence transaction's statements (see {@link #PRESENCE}). */
    private static boolean presence(PgRoundTrips.Trip t) {
        return !t.prepare() && PRESENCE.stream().anyMatch(t.sql()::startsWith);
    }

    /** Shared work of a tick: cursor touches, presence snapshots, and the batched presence transaction. */
    private static boolean batched(PgRoundTrips.Trip t) {
        String sql = t.sql().replaceFirst("^prepare: ", "");
        if (sql.startsWith(EXPECTED.get(0))) {
            return false; // the connect read: batched too, but on the path (the device waits for it)
        }
        return sql.contains("unnest(") || sql.contains("min(connected_at)") || PRESENCE.stream().anyMatch(sql::startsWith);
    }

    /** Waits for the batched statements of the tick, then splits the account's round trips. */
    private static List<PgRoundTrips.Trip> onPath(String label, String account) {
        PgRoundTrips wire = PgRoundTrips.current();
        try {
            // the tick's batched cursor write, and the presence transaction (beside the stream, not before "live")
            await().atMost(Duration.ofSeconds(10)).until(() -> wire.trips(account).stream().anyMatch(t -> t.sql().contains("unnest(")
                    && !t.sql().contains("pg_advisory_xact_lock") && !t.sql().startsWith("with input as (")
                    && !t.sql().startsWith(EXPECTED.get(0)))
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
        assertThat(executions(all.stream().filter(ConnectCostTest::presence).toList(), PRESENCE))
                .as("the presence transaction of a lone connect").isEqualTo(PRESENCE);
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

    /**
     * A storm in miniature: many devices of one account connect at once, then close at once. Each waits for its own
     * stream read only (at most one; reads asked for together share a statement), and their presence rows are written by a few shared transactions, not one each (issue 15: at most one round trip per
     * connect in the common case).
     */
    @Test
    void devicesConnectingTogetherShareTheirPresenceTransactions() throws Exception {
        int devices = 30;
        Tokens.TokenSet ann = ANN.signIn();
        String account = ann.subject();
        PgRoundTrips wire = PgRoundTrips.current();
        // the account's stream exists already, as in a reconnect storm: 30 first-ever connects of one account race to
        // create it, and the losers read it again (StreamStore.open's rare path), which is not what is counted here
        try (WsClient first = WsClient.to(base()).token(ann.accessToken()).device("storm-setup").connect()) {
            first.awaitType("live");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> presenceRows(account) == 0);
        wire.watch(account);
        List<WsClient> sockets = new java.util.ArrayList<>();
        try {
            List<java.util.concurrent.CompletableFuture<WsClient>> opening = new java.util.ArrayList<>();
            for (int i = 0; i < devices; i++) {
                String device = "storm-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
                opening.add(java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> WsClient.to(base()).token(ann.accessToken()).device(device).connect()));
            }
            for (var f : opening) {
                sockets.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            sockets.forEach(s -> s.awaitType("live"));
            await().atMost(Duration.ofSeconds(10)).until(() -> presenceRows(account) == devices);
            List<PgRoundTrips.Trip> all = wire.trips(account);
            long streamReads = all.stream().filter(t -> !t.prepare() && t.sql().startsWith(EXPECTED.get(0))).count();
            long presenceTransactions = all.stream().filter(t -> !t.prepare() && t.sql().startsWith("COMMIT")).count();
            long presenceTrips = all.stream().filter(ConnectCostTest::presence).count();
            long executions = all.stream().filter(t -> !t.prepare()).count();
            System.out.printf("connect cost, %d devices at once: %d stream reads, %d presence transactions (%d round trips),"
                    + " %d executions in all (%.2f per connect)%n", devices, streamReads, presenceTransactions, presenceTrips,
                    executions, executions / (double) devices);
            assertThat(streamReads).as("at most one stream read per connect").isBetween(1L, (long) devices);
            assertThat(presenceTransactions).as("presence transactions for %d connects at once", devices).isLessThan(devices / 2);
            assertThat(presenceTrips).as("presence round trips per connect, amortized").isLessThanOrEqualTo(devices);
        } finally {
            wire.watch(account); // from here: the closes
            sockets.forEach(WsClient::close);
        }
        // closing together is batched the same way (a replica's network gone, a deploy)
        await().atMost(Duration.ofSeconds(10)).until(() -> presenceRows(account) == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> wire.trips(account).stream().anyMatch(t -> t.sql().startsWith("COMMIT")));
        long closeTransactions = wire.trips(account).stream().filter(t -> !t.prepare() && t.sql().startsWith("COMMIT")).count();
        System.out.printf("close cost, %d devices at once: %d presence transactions%n", devices, closeTransactions);
        assertThat(closeTransactions).as("presence transactions for %d closes at once", devices).isLessThan(devices / 2);
    }

    /**
     * A replica that died without its shutdown clean-up leaves a row per socket; the sweep of a live replica deletes
     * them and publishes "offline" for each device, in a constant number of round trips per batch of rows. It took
     * three per device (its lock, its count of other sockets, its event), through Hibernate, whose auto-flush before
     * each native query re-checked every event persisted so far: a 10,000-socket replica's sweep was 30,000 round
     * trips, quadratic in CPU.
     */
    @Test
    void aDeadReplicasDevicesAreSweptInAFewRoundTrips() throws Throwable {
        int devices = 40;
        String account = "sweep-" + UUID.randomUUID();
        String dead = "crashed-" + UUID.randomUUID().toString().substring(0, 8);
        // alive while its rows are written, dead just before the sweep: the scheduled sweep (every 10 s) rarely gets
        // a share of them, and when it does, its transaction is counted with this one below
        pool.preparedQuery("insert into replica (replica_id, last_seen) values ($1, now())").execute(Tuple.of(dead))
                .await().indefinitely();
        String[] ids = new String[devices];
        String[] deviceIds = new String[devices];
        for (int i = 0; i < devices; i++) {
            ids[i] = dead + "-c" + i;
            deviceIds[i] = "swept-" + i;
        }
        pool.preparedQuery("insert into device_presence (connection_id, replica_id, account_id, device_id, session_id)"
                        + " select c, $2, $3, d, null from unnest($1::text[], $4::text[]) as x(c, d)")
                .execute(Tuple.of(ids, dead, account, deviceIds)).await().indefinitely();
        PgRoundTrips wire = PgRoundTrips.current();
        wire.watch(account);
        pool.preparedQuery("update replica set last_seen = now() - interval '5 minutes' where replica_id = $1")
                .execute(Tuple.of(dead)).await().indefinitely();
        VertxContextSupport.subscribeAndAwait(() -> presence.sweep());

        await().atMost(Duration.ofSeconds(10)).until(() -> presenceRows(account) == 0);
        // the proxy records a round trip when its answer has passed: wait for the sweep's commit to be recorded
        await().atMost(Duration.ofSeconds(10)).until(() -> wire.trips(account).stream().anyMatch(t -> t.sql().startsWith("COMMIT")));
        // the sweep's own round trips: not the presence snapshot the swept account gets afterwards, nor this test's count
        List<PgRoundTrips.Trip> trips = wire.trips(account).stream().filter(t -> !t.prepare())
                .filter(t -> !t.sql().startsWith("select device_id, min(connected_at)"))
                .filter(t -> !t.sql().startsWith("select count(*) from device_presence where account_id")).toList();
        long transactions = trips.stream().filter(t -> t.sql().startsWith("COMMIT")).count();
        System.out.printf("sweep of %d devices of a dead replica: %d transaction(s), %d round trips carrying the account: %s%n",
                devices, transactions, trips.size(), trips.stream().map(PgRoundTrips.Trip::brief).toList());
        assertThat(transactions).as("sweep transactions that swept the account's rows").isBetween(1L, 2L);
        assertThat(trips.stream().filter(t -> t.sql().startsWith("insert into outbox")).count())
                .as("the offline events: one round trip per sweep transaction").isEqualTo(transactions);
        assertThat(trips).as("round trips of the sweep that carry the account").hasSizeLessThanOrEqualTo((int) (6 * transactions));
    }
}
