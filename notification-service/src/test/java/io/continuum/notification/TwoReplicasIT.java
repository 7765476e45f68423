package io.continuum.notification;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.TestUsers;
import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.notification.support.Events;
import io.continuum.notification.support.Replicas;
import io.continuum.notification.support.WsClient;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scale-out: two replicas of the packaged service (same database, same ingest group), devices of one account spread
 * over both. Events reach every device whichever replica ingests them; a device whose replica stops resumes on the
 * other one without losing a frame.
 */
class TwoReplicasIT {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann", "ben", "cat");
    static final TestUsers.User ANN = USERS.get("ann");
    static final TestUsers.User BEN = USERS.get("ben");
    static final TestUsers.User CAT = USERS.get("cat");

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Replicas replicas;
    private static String r1;
    private static String r2;
    private static Process p1;

    @BeforeAll
    static void start() throws Exception {
        LocalStack.ensureInfra();
        replicas = new Replicas("notification-service-it-" + UUID.randomUUID().toString().substring(0, 6));
        Replicas.Replica one = replicas.launch("r1");
        Replicas.Replica two = replicas.launch("r2");
        p1 = one.process();
        r1 = one.base();
        r2 = two.base();
        Replicas.awaitReady(r1);
        Replicas.awaitReady(r2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (replicas != null) {
            replicas.close();
        }
    }

    private static WsClient device(String base, Tokens.TokenSet t, String id) {
        return WsClient.to(base).token(t.accessToken()).device(id).connect();
    }

    @Test
    void eventsReachDevicesOnBothReplicasAndADeviceOfAStoppedReplicaResumesOnTheOther() throws Exception {
        Tokens.TokenSet alice = ANN.signIn();
        Tokens.TokenSet carol = CAT.signIn();
        String a = "it-a-" + UUID.randomUUID().toString().substring(0, 6);
        String b = "it-b-" + UUID.randomUUID().toString().substring(0, 6);
        try (Events events = new Events();
                WsClient onR1 = device(r1, alice, a);
                WsClient onR2 = device(r2, ANN.signIn(), b);
                WsClient carolOnR2 = device(r2, carol, "it-c")) {
            assertThat(onR1.welcome().path("replica").asText()).isEqualTo("r1");
            assertThat(onR2.welcome().path("replica").asText()).isEqualTo("r2");
            onR1.awaitType("live");
            onR2.awaitType("live");

            // presence crosses replicas: the device on r1 gets a snapshot listing b, which came online on r2
            JsonNode presence = onR1.awaitFrame(f -> "presence".equals(f.path("type").asText())
                    && f.path("online").findValuesAsText("deviceId").contains(b), WAIT);
            assertThat(presence.path("class").asText()).isEqualTo("latest-wins");
            for (String base : List.of(r1, r2)) {
                JsonNode online = given().auth().oauth2(alice.accessToken()).get(base + "/api/notifications/presence")
                        .then().statusCode(200).extract().as(JsonNode.class);
                assertThat(online.path("online").findValuesAsText("deviceId")).contains(a, b);
            }

            // the ingest group may still be rebalancing between the replicas: probe until both devices hear
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                events.stateChanged(alice.subject(), a, 0, "probe");
                return !onR1.ofType("continuum.state.changed.v1").isEmpty() && !onR2.ofType("continuum.state.changed.v1").isEmpty();
            });
            long start1 = onR1.lastSeq();
            for (int i = 0; i < 30; i++) {
                events.stateChanged(alice.subject(), a, i, "spread-" + i);
            }
            for (WsClient c : List.of(onR1, onR2)) {
                c.awaitFrame(f -> "spread-29".equals(f.path("data").path("value").asText()), WAIT);
            }
            List<Long> seq1 = seqsOf(onR1, "spread-");
            List<Long> seq2 = seqsOf(onR2, "spread-");
            assertThat(seq1).hasSize(30).isEqualTo(seq2).isSorted();
            // every frame of the stream reached both devices, without a gap or a duplicate (probes interleave)
            for (WsClient c : List.of(onR1, onR2)) {
                List<JsonNode> all = c.streamFrames();
                for (int i = 1; i < all.size(); i++) {
                    assertThat(all.get(i).path("seq").asLong()).isEqualTo(all.get(i - 1).path("seq").asLong() + 1);
                }
            }
            assertThat(seq1.get(0)).isGreaterThan(start1);
            assertThat(carolOnR2.frames.toString()).doesNotContain("spread-");
            // echo flag is per device, whichever replica holds it
            assertThat(onR1.streamFrames().get(onR1.streamFrames().size() - 1).path("echo").asBoolean()).isTrue();
            assertThat(onR2.streamFrames().get(onR2.streamFrames().size() - 1).path("echo").asBoolean()).isFalse();

            // r1 goes away: its device resumes on r2 and gets exactly what it missed
            long last = onR1.lastSeq();
            String epoch = onR1.welcome().path("epoch").asText();
            p1.destroy();
            assertThat(p1.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(onR1.awaitClose(WAIT)).isEqualTo(1001); // going away: reconnect elsewhere and resume
            for (int i = 0; i < 5; i++) {
                events.stateChanged(alice.subject(), b, 100 + i, "after-loss-" + i);
            }
            onR2.awaitFrame(f -> "after-loss-4".equals(f.path("data").path("value").asText()), WAIT);
            try (WsClient moved = WsClient.to(r2).token(alice.accessToken()).device(a).resume(last, epoch).connect()) {
                moved.awaitFrame(f -> "after-loss-4".equals(f.path("data").path("value").asText()), WAIT);
                List<JsonNode> got = moved.streamFrames();
                assertThat(got.get(0).path("seq").asLong()).isEqualTo(last + 1);
                for (int i = 1; i < got.size(); i++) {
                    assertThat(got.get(i).path("seq").asLong()).isEqualTo(got.get(i - 1).path("seq").asLong() + 1);
                }
                assertThat(seqsOf(moved, "after-loss-")).hasSize(5);
            }
        }
    }

    private static List<Long> seqsOf(WsClient c, String prefix) {
        return c.streamFrames().stream().filter(f -> f.path("data").path("value").asText().startsWith(prefix))
                .map(f -> f.path("seq").asLong()).toList();
    }
}
