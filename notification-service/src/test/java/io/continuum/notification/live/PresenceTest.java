package io.continuum.notification.live;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.auth.DeviceRevoked;
import io.continuum.notification.support.Events;
import io.continuum.notification.support.WsClient;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Presence across sockets and replicas: exactly one event per real change, dead replicas swept, coalesced frames. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class PresenceTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann");
    static final TestUsers.User ANN = USERS.get("ann");
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URL root;
    @Inject
    Pool pool;
    @Inject
    PresenceService presence;
    @Inject
    ConnectionRegistry registry;

    private String base() {
        return root.toString().replaceAll("/$", "");
    }

    private static String device(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<Boolean> changes(List<EventReader.Received> got, String device) {
        return got.stream().filter(r -> device.equals(r.event().data().path("deviceId").asText()))
                .map(r -> r.event().data().path("online").asBoolean()).toList();
    }

    @Test
    void twoSocketsOfOneDeviceClosingTogetherPublishExactlyOneOffline() throws Exception {
        Tokens.TokenSet alice = ANN.signIn();
        List<String> devices = List.of(device("phone"), device("tv"), device("tablet"));
        try (EventReader reader = new EventReader(Topics.NOTIFICATION_EVENTS); Events events = new Events()) {
            List<CompletableFuture<WsClient>> opening = new ArrayList<>();
            for (String d : devices) {
                for (int i = 0; i < 2; i++) { // two sockets per device, one session: revocation closes them together
                    opening.add(WsClient.to(base()).token(alice.accessToken()).device(d).connectAsync());
                }
            }
            List<WsClient> sockets = opening.stream().map(CompletableFuture::join).toList();
            sockets.forEach(s -> s.awaitType("live"));
            events.publish(EventTypes.DEVICE_REVOKED, alice.subject(), null, null,
                    new DeviceRevoked(devices.get(0), List.of(alice.sessionId()), "user-removed"));
            sockets.forEach(s -> s.awaitClose(WAIT));
            List<EventReader.Received> got = reader.await(e -> e.type().equals(EventTypes.PRESENCE_CHANGED.type())
                    && alice.subject().equals(e.subject()), 100, Duration.ofSeconds(6));
            for (String d : devices) {
                assertThat(changes(got, d)).as(d).containsExactly(true, false);
            }
            await().atMost(WAIT).until(() -> presence.online(alice.subject()).await().indefinitely().isEmpty());
        }
    }

    @Test
    void aDeviceThatSawLiveIsOnlineForEveryone() throws Exception {
        Tokens.TokenSet alice = ANN.signIn();
        List<String> devices = List.of(device("phone"), device("tv"), device("tablet"));
        List<CompletableFuture<WsClient>> opening = new ArrayList<>();
        for (String d : devices) {
            opening.add(WsClient.to(base()).token(alice.accessToken()).device(d).connectAsync());
        }
        List<WsClient> sockets = opening.stream().map(CompletableFuture::join).toList();
        try {
            sockets.forEach(s -> s.awaitType("live"));
            // the presence rows are written beside the stream (going live does not wait for them)
            await().atMost(WAIT).untilAsserted(() -> assertThat(presence.online(alice.subject()).await().indefinitely()
                    .stream().map(PresenceService.OnlineDevice::deviceId).toList()).containsAll(devices));
        } finally {
            sockets.forEach(WsClient::close);
        }
        await().atMost(WAIT).until(() -> presence.online(alice.subject()).await().indefinitely().isEmpty());
    }

    @Test
    void theRowsOfACrashedReplicaAreSweptWithAnOfflineEventPerDevice() throws Throwable {
        Tokens.TokenSet alice = ANN.signIn();
        String dead = "crashed-" + UUID.randomUUID().toString().substring(0, 8);
        String phone = device("phone"), tv = device("tv");
        // the reader first: the scheduled sweep (every 10 s) may take the rows as soon as they exist, and its events
        // must be read too (a reader opened after the rows had missed them while it joined its group)
        try (EventReader reader = new EventReader(Topics.NOTIFICATION_EVENTS)) {
            pool.preparedQuery("insert into replica (replica_id, last_seen) values ($1, now() - interval '5 minutes')")
                    .execute(Tuple.of(dead)).await().indefinitely();
            for (String[] row : new String[][] {{"c1", phone}, {"c2", phone}, {"c3", tv}}) {
                pool.preparedQuery("insert into device_presence (connection_id, replica_id, account_id, device_id, session_id)"
                                + " values ($1, $2, $3, $4, null)")
                        .execute(Tuple.of(dead + row[0], dead, alice.subject(), row[1])).await().indefinitely();
            }
            // on a Vert.x context, as the scheduler runs it (Hibernate Reactive needs one)
            VertxContextSupport.subscribeAndAwait(() -> presence.sweep());
            VertxContextSupport.subscribeAndAwait(() -> presence.sweep()); // a second sweep (another replica) finds nothing
            List<EventReader.Received> got = reader.await(e -> e.type().equals(EventTypes.PRESENCE_CHANGED.type())
                    && alice.subject().equals(e.subject()), 100, Duration.ofSeconds(5));
            assertThat(changes(got, phone)).containsExactly(false);
            assertThat(changes(got, tv)).containsExactly(false);
        }
        long left = pool.preparedQuery("select count(*) from device_presence where replica_id = $1").execute(Tuple.of(dead))
                .await().indefinitely().iterator().next().getLong(0);
        assertThat(left).isZero();
    }

    @Test
    void devicesGetOneCoalescedSnapshotPerIntervalListingEveryOnlineDevice() throws Exception {
        Tokens.TokenSet alice = ANN.signIn();
        int n = 8;
        List<String> devices = new ArrayList<>();
        List<CompletableFuture<WsClient>> opening = new ArrayList<>();
        Instant started = Instant.now();
        for (int i = 0; i < n; i++) {
            String d = device("d" + i);
            devices.add(d);
            opening.add(WsClient.to(base()).token(alice.accessToken()).device(d).connectAsync());
        }
        List<WsClient> sockets = opening.stream().map(CompletableFuture::join).toList();
        try {
            for (WsClient s : sockets) {
                JsonNode last = s.awaitFrame(f -> "presence".equals(f.path("type").asText())
                        && f.path("online").size() == n, WAIT);
                Set<String> listed = new java.util.HashSet<>();
                last.path("online").forEach(o -> listed.add(o.path("deviceId").asText()));
                assertThat(listed).containsExactlyInAnyOrderElementsOf(devices);
                assertThat(last.path("class").asText()).isEqualTo("latest-wins");
            }
            long intervals = Duration.between(started, Instant.now()).toMillis() / 250 + 2;
            for (WsClient s : sockets) {
                // one snapshot per interval at most, however many devices came: not one frame per other device
                assertThat((long) s.ofType("presence").size()).isLessThanOrEqualTo(intervals);
            }
        } finally {
            sockets.forEach(WsClient::close);
        }
    }

    /**
     * Going live waits for the stream read only, not for the socket's presence write. The write takes the device's
     * presence lock, which a sweep of a dead replica holds for every device it sweeps until it commits, and in a
     * reconnect storm thousands of presence transactions queue for the pool: every device of a killed replica waited
     * for all of it (ReconnectStormBenchmark: all live in one window 14.6 s after the kill). Here another session holds
     * the device's presence lock while it connects.
     */
    @Test
    void aDeviceIsLiveWhileItsPresenceWriteWaitsForTheLock() {
        Tokens.TokenSet alice = ANN.signIn();
        String d = device("phone");
        var holder = pool.getConnection().await().atMost(Duration.ofSeconds(5));
        String key = alice.subject() + "\n" + d;
        try {
            holder.preparedQuery("select pg_advisory_lock(hashtextextended($1, 0))").execute(Tuple.of(key))
                    .await().atMost(Duration.ofSeconds(5));
            try (WsClient phone = WsClient.to(base()).token(alice.accessToken()).device(d).connect()) {
                phone.awaitFrame(f -> "live".equals(f.path("type").asText()), Duration.ofSeconds(5));
                assertThat(presence.online(alice.subject()).await().indefinitely()).as("presence still waits for the lock")
                        .noneMatch(o -> o.deviceId().equals(d));
                holder.preparedQuery("select pg_advisory_unlock(hashtextextended($1, 0))").execute(Tuple.of(key))
                        .await().atMost(Duration.ofSeconds(5));
                await().atMost(WAIT).until(() -> presence.online(alice.subject()).await().indefinitely().stream()
                        .anyMatch(o -> o.deviceId().equals(d)));
            }
            await().atMost(WAIT).until(() -> presence.online(alice.subject()).await().indefinitely().stream()
                    .noneMatch(o -> o.deviceId().equals(d)));
        } finally {
            holder.close().await().atMost(Duration.ofSeconds(5));
        }
    }
}
