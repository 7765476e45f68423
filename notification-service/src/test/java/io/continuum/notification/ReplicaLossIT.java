package io.continuum.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.notification.support.Events;
import io.continuum.notification.support.Replicas;
import io.continuum.notification.support.WsClient;
import io.continuum.testing.LocalStack;
import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica dies (SIGKILL: no 1001, no presence clean-up, its ingest partitions still its own until the group's
 * session timeout): every device it held reconnects to the survivor at once, goes {@code live} (the times are
 * printed; the storm's figures are ReconnectStormBenchmark's) and gets every frame published while the dead
 * replica's partitions had no reader (by replay or live push), with an unbroken {@code prev} chain and no resync.
 * The reconnect-storm benchmark (e2e ReconnectStormBenchmark) saw every device wait ~14.6 s for a common gate.
 */
class ReplicaLossIT {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("lossa", "lossb", "lossc", "lossd", "losse", "lossf");
    private static final List<String> PREFIXES = List.of("lossa", "lossb", "lossc", "lossd", "losse", "lossf");
    private static final int DEVICES_PER_ACCOUNT = 8;
    private static String span(Map<Device, Long> nanos) {
        long[] ms = nanos.values().stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
        return ms.length == 0 ? "none" : "+" + ms[0] + " .. +" + ms[ms.length - 1] + " ms (" + ms.length + ")";
    }

    record Device(String account, Tokens.TokenSet token, String id) {
    }

    @Test
    void devicesOfAKilledReplicaAreLiveOnTheSurvivorAtOnceAndMissNothing() throws Exception {
        LocalStack.ensureInfra();
        String group = "notification-loss-it-" + UUID.randomUUID().toString().substring(0, 6);
        try (Replicas replicas = new Replicas(group); Events events = new Events();
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.KAFKA_BOOTSTRAP))) {
            Replicas.Replica a = replicas.launch("loss-a");
            Replicas.Replica b = replicas.launch("loss-b");
            Replicas.awaitReady(a.base());
            Replicas.awaitReady(b.base());
            // both replicas own ingest partitions (B's are the ones left without a reader when it dies)
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return d.members().size() == 2
                        && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
            });

            List<Device> devices = new ArrayList<>();
            Map<String, String> accountOf = new LinkedHashMap<>();
            for (String prefix : PREFIXES) {
                TestUsers.User user = USERS.get(prefix);
                Tokens.TokenSet token = user.signIn();
                accountOf.put(prefix, token.subject());
                for (int i = 0; i < DEVICES_PER_ACCOUNT; i++) {
                    devices.add(new Device(token.subject(), token, prefix + "-" + i));
                }
            }
            Map<Device, WsClient> onB = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> opening = new ArrayList<>();
            for (Device d : devices) {
                opening.add(WsClient.to(b.base()).token(d.token().accessToken()).device(d.id()).connectAsync()
                        .thenAccept(c -> onB.put(d, c)));
            }
            CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            onB.values().forEach(c -> c.awaitType("live"));
            // every account's ingest works before the kill (whichever replica reads its partition)
            for (String account : accountOf.values()) {
                events.stateChanged(account, "writer", 1, "before-" + account);
            }
            for (Map.Entry<Device, WsClient> e : onB.entrySet()) {
                e.getValue().awaitFrame(f -> ("before-" + e.getKey().account()).equals(f.path("data").path("value").asText()),
                        Duration.ofSeconds(30));
            }
            for (MemberDescription m : admin.describeConsumerGroups(List.of(group)).all().get().get(group).members()) {
                System.out.printf("ingest member %s owns %s%n", m.consumerId(), m.assignment().topicPartitions());
            }

            long killed = System.nanoTime();
            b.process().destroyForcibly();
            assertThat(b.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
            // frames published while B's partitions have no reader (until the group's session timeout)
            for (String account : accountOf.values()) {
                events.stateChanged(account, "writer", 2, "during-" + account);
            }
            Map<Device, Long> liveAt = new ConcurrentHashMap<>();
            Map<Device, Long> upgradedAt = new ConcurrentHashMap<>();
            Map<Device, Long> welcomeAt = new ConcurrentHashMap<>();
            Map<Device, WsClient> onA = new ConcurrentHashMap<>();
            System.out.printf("killed B at %s%n", java.time.Instant.now());
            for (Map.Entry<Device, WsClient> e : onB.entrySet()) {
                WsClient old = e.getValue();
                old.awaitClose(Duration.ofSeconds(10));
                Device d = e.getKey();
                long seq = old.lastSeq();
                String epoch = old.welcome().path("epoch").asText();
                WsClient.to(a.base()).token(d.token().accessToken()).device(d.id()).resume(seq, epoch).connectAsync()
                        .thenAccept(c -> {
                            upgradedAt.put(d, System.nanoTime() - killed);
                            onA.put(d, c);
                        });
            }
            System.out.printf("every old socket closed and its device reconnecting +%d ms%n", (System.nanoTime() - killed) / 1_000_000);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                for (Device d : devices) {
                    WsClient c = onA.get(d);
                    if (c != null && !welcomeAt.containsKey(d) && !c.ofType("welcome").isEmpty()) {
                        welcomeAt.put(d, System.nanoTime() - killed);
                    }
                    if (c != null && !liveAt.containsKey(d) && !c.ofType("live").isEmpty()) {
                        liveAt.put(d, System.nanoTime() - killed);
                    }
                }
                return liveAt.size() == devices.size();
            });
            System.out.printf("upgraded %s%nwelcome %s%n", span(upgradedAt), span(welcomeAt));
            long[] ms = liveAt.values().stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
            System.out.printf("live on the survivor after the kill: first %d ms, last %d ms%n", ms[0], ms[ms.length - 1]);
            // how fast is the benchmark's business (ReconnectStormBenchmark): a time limit here would be a timed test,
            // flaky on a loaded CI machine; what going live must not wait for is PresenceTest's deterministic case

            // nothing missed: the frame published while B's partitions were unread reaches every device, chained
            for (Device d : devices) {
                WsClient now = onA.get(d);
                now.awaitFrame(f -> ("during-" + d.account()).equals(f.path("data").path("value").asText()),
                        Duration.ofSeconds(60));
                List<JsonNode> chain = new ArrayList<>(onB.get(d).streamFrames());
                chain.addAll(now.streamFrames());
                for (int i = 1; i < chain.size(); i++) {
                    assertThat(chain.get(i).path("prev").asLong()).as("prev of %s on %s", chain.get(i), d.id())
                            .isEqualTo(chain.get(i - 1).path("seq").asLong());
                }
                assertThat(now.ofType("resync")).isEmpty();
            }
            onA.values().forEach(WsClient::close);
        }
    }
}
