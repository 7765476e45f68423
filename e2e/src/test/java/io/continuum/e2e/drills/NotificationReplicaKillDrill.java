package io.continuum.e2e.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.client.ContinuumClient;
import io.continuum.e2e.notifications.WsDevice;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.LocalStack;
import io.continuum.testing.RepoPaths;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault drill: a second notification-service replica (B) is started beside the stack's one (A); devices live on B
 * while another device writes through the gateway; B is killed (SIGKILL: no 1001, no presence clean-up). Every device
 * of B must reconnect to A by itself and miss nothing: the SDK devices end on the writer's revision and wallet, and a
 * raw socket that resumes on A from the last seq it processed sees an unbroken chain ({@code prev} of each frame = the
 * seq before it) with no {@code resync}. Prints its figures.
 *
 * <p>Tagged {@code drill}: run by {@code deploy/local/test.sh} after the e2e suite, or by hand with
 * {@code ./mvnw -pl e2e verify -Pdrills}. Bounded; B is always killed in a {@code finally}.
 */
@Tag("drill")
class NotificationReplicaKillDrill extends Drill {

    static final int OPS = 60;
    static final String REPLICA_A = "ws://127.0.0.1:8083/ws";

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("drill-replica");


    @Test
    void theDevicesOfAKilledReplicaReconnectToTheOtherAndMissNothing() throws Exception {
        var user = USERS.get("drill-replica");
        String run = UUID.randomUUID().toString().substring(0, 8);
        int portB = freePort();
        Process replicaB = startReplica(portB);
        List<ContinuumClient> onB = new ArrayList<>();
        ContinuumClient writer = null;
        WsDevice raw = null;
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> ready(portB));
            List<URI> bThenA = List.of(URI.create("ws://127.0.0.1:" + portB + "/ws"), URI.create(REPLICA_A));
            for (String kind : List.of("phone", "tablet", "tv")) {
                onB.add(device(user, kind + "-" + run, kind, b -> b.webSockets(bThenA)));
            }
            writer = device(user, "desktop-" + run, "desktop", b -> b);
            String rawId = "raw-" + run;
            Tokens.TokenSet rawToken = user.signIn();
            DeviceRegistrations.registerThroughGateway(rawToken, rawId);
            raw = WsDevice.connect(bThenA.get(0), rawToken.accessToken(), rawId, true).orTimeout(30, TimeUnit.SECONDS).join();
            raw.awaitType("live", Duration.ofSeconds(30));
            ContinuumClient w = writer;
            await().atMost(Duration.ofSeconds(90)).until(() -> w.online() && onB.stream().allMatch(ContinuumClient::online));
            assertThat(sockets(portB)).as("the devices live on replica B").isGreaterThanOrEqualTo(onB.size() + 1);

            Instant killed = null;
            for (int i = 0; i < OPS; i++) {
                writer.credit("gold", 1, "drill");
                if (i == OPS / 3) {
                    killed = Instant.now();
                    replicaB.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                int sent = i + 1;
                await().atMost(Duration.ofSeconds(10)).until(() -> w.queued() == 0 && w.state().wallet("gold") == sent);
            }
            Instant wroteAll = Instant.now();
            await().atMost(Duration.ofSeconds(90)).until(() -> onB.stream().allMatch(d -> d.online()
                    && d.state().wallet("gold") == OPS && d.state().revision() == w.state().revision()));
            Duration converged = Duration.between(killed, Instant.now());

            // the raw socket was closed by the kill: resume on A from the last frame it processed
            WsDevice cut = raw;
            await().atMost(Duration.ofSeconds(10)).until(() -> !cut.isOpen());
            List<JsonNode> before = streamFrames(raw.frames);
            JsonNode last = before.get(before.size() - 1);
            String epoch = raw.frames.stream().filter(f -> "welcome".equals(f.path("type").asText())).findFirst().orElseThrow()
                    .path("epoch").asText();
            raw = WsDevice.connect(URI.create(REPLICA_A + "?seq=" + last.path("seq").asLong() + "&epoch=" + epoch),
                    rawToken.accessToken(), rawId, true).orTimeout(30, TimeUnit.SECONDS).join();
            WsDevice resumed = raw;
            await().atMost(Duration.ofSeconds(90)).until(() -> streamFrames(resumed.frames).stream()
                    .filter(f -> f.path("type").asText().startsWith("continuum.state")).count() + stateFrames(before) >= OPS);
            List<JsonNode> chain = new ArrayList<>(before);
            chain.addAll(streamFrames(resumed.frames));
            long breaks = 0;
            for (int i = 1; i < chain.size(); i++) {
                if (chain.get(i).path("prev").asLong() != chain.get(i - 1).path("seq").asLong()) {
                    breaks++;
                }
            }
            boolean resync = resumed.frames.stream().anyMatch(f -> "resync".equals(f.path("type").asText()));
            System.out.printf("%nnotification replica kill drill: %d ops written through the gateway (%d before the kill);"
                            + " %d SDK devices and 1 raw socket on the killed replica; all SDK devices on the writer's revision %d ms"
                            + " after the kill (%d ms after the last write); raw socket resumed on A: %d frames before, %d after,"
                            + " chain breaks %d, resync %b%n",
                    OPS, OPS / 3 + 1, onB.size(), converged.toMillis(), Duration.between(wroteAll, Instant.now()).toMillis(),
                    before.size(), chain.size() - before.size(), breaks, resync);
            assertThat(breaks).as("frames missed across the replica change").isZero();
            assertThat(resync).isFalse();
            assertThat(stateFrames(chain)).isGreaterThanOrEqualTo(OPS);
        } finally {
            replicaB.destroyForcibly();
            onB.forEach(ContinuumClient::close);
            if (writer != null) {
                writer.close();
            }
            if (raw != null) {
                raw.abort();
            }
        }
    }

    private static List<JsonNode> streamFrames(List<JsonNode> frames) {
        return frames.stream().filter(f -> f.has("seq") && f.has("prev")).toList();
    }

    private static long stateFrames(List<JsonNode> frames) {
        return frames.stream().filter(f -> f.path("type").asText().startsWith("continuum.state")).count();
    }

    /** The packaged service, as up.sh runs it, on another port (a replica id of its own is drawn at start). */
    private static Process startReplica(int port) throws IOException {
        Path module = RepoPaths.root().resolve("notification-service");
        Path log = Files.createDirectories(RepoPaths.runDir().resolve("logs")).resolve("notification-service-drill-b.log");
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx256m", "-jar", "target/quarkus-app/quarkus-run.jar")
                .directory(module.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        return pb.start();
    }

    private static boolean ready(int port) {
        try {
            return Drill.HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static double sockets(int port) throws Exception {
        String metrics = Drill.HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("continuum_notification_sockets")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
