package io.continuum.session;

import static io.continuum.session.Ops.credit;
import static io.continuum.session.Ops.debit;
import static io.continuum.session.Ops.grant;
import static io.continuum.session.Ops.move;
import static io.continuum.session.Ops.playback;
import static io.continuum.session.Ops.readMarker;
import static io.continuum.session.Ops.unlock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.continuum.events.CloudEvent;
import io.continuum.events.Topics;
import io.continuum.session.persistence.HistoryPruner;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStack;
import io.continuum.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The protocol's promises, against real PostgreSQL, Kafka and Keycloak. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class SyncProtocolTest {

    @Inject
    HistoryPruner pruner;

    @Inject
    Pool pool;

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void offlineReplayOfTheSame200OpsAppliesThemOnceAndAnswersTheSame() {
        Device phone = Device.of("alice", "phone-" + run());
        String r = run();
        String gold = "gold-" + r;
        List<Map<String, Object>> queue = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = "offline-" + r + "-" + i;
            queue.add(switch (i % 5) {
                case 0 -> playback(id, "movie-" + r + "-" + (i % 7), i * 1000L, 3_600_000, "paused");
                case 1 -> credit(id, gold, 3);
                case 2 -> debit(id, gold, 5);               // some of these exceed the balance: rejected
                case 3 -> readMarker(id, "chan-" + r, i);
                default -> unlock(id, "ach-" + r + "-" + (i % 3)); // only the first of each unlocks
            });
        }
        JsonNode first = phone.push(queue);
        JsonNode before = phone.snapshot();

        JsonNode again = phone.push(queue);

        assertThat(again.path("revision").asLong()).isEqualTo(first.path("revision").asLong());
        for (int i = 0; i < 200; i++) {
            JsonNode original = ((ObjectNode) first.path("results").get(i).deepCopy()).without("opId");
            JsonNode replay = again.path("results").get(i);
            assertThat(replay.path("status").asText()).isEqualTo("duplicate");
            assertThat(replay.path("opId").asText()).isEqualTo(queue.get(i).get("opId"));
            assertThat(replay.path("original")).isEqualTo(original);
        }
        assertThat(Replica.normalize(phone.snapshot())).isEqualTo(Replica.normalize(before));
        // the first send had both outcomes, and only applied ops used revisions
        long applied = count(first, "applied");
        assertThat(applied).isBetween(100L, 199L);
        assertThat(count(first, "rejected")).isEqualTo(200 - applied);
        assertThat(before.path("wallet").path(gold).asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void twentyDevicesPushingConcurrentlyGetGaplessRevisionsAndTheSameOrderOnKafka() throws Exception {
        Device base = Device.of("alice", "dev-0");
        String r = run();
        String coins = "coins-" + r;
        String gem = "gem-" + r;
        int devices = 20;
        int opsPerDevice = 100;
        int batch = 5;
        Map<String, Map<String, Object>> sent = new ConcurrentHashMap<>();
        Map<String, String> deviceOf = new ConcurrentHashMap<>();
        Map<Long, String> opAtRevision = new ConcurrentHashMap<>();
        try (EventReader reader = new EventReader(LocalStack.KAFKA_BOOTSTRAP, Topics.STATE_EVENTS)) {
            long start = base.revision();
            ExecutorService pool = Executors.newFixedThreadPool(devices);
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                Device device = base.other("dev-" + r + "-" + d);
                int dn = d;
                runs.add(CompletableFuture.runAsync(() -> {
                    await(go);
                    long lastRevision = 0;
                    for (int b = 0; b < opsPerDevice / batch; b++) {
                        List<Map<String, Object>> ops = new ArrayList<>();
                        for (int k = 0; k < batch; k++) {
                            int i = b * batch + k;
                            String id = "c-" + r + "-" + dn + "-" + i;
                            Map<String, Object> op = switch (i % 4) {
                                case 0 -> playback(id, "show-" + r + "-" + (i % 5), dn * 1000L + i, 10_000_000, "playing");
                                case 1 -> credit(id, coins, 1 + (i % 3));
                                case 2 -> grant(id, gem, 1 + (i % 2));
                                default -> move(id, "zone-" + r, dn, i, 0.5);
                            };
                            ops.add(op);
                            sent.put(id, op);
                            deviceOf.put(id, device.deviceId);
                        }
                        JsonNode answer = device.push(ops);
                        for (JsonNode res : answer.path("results")) {
                            assertThat(res.path("status").asText()).isEqualTo("applied");
                            long rev = res.path("revision").asLong();
                            assertThat(rev).isGreaterThan(lastRevision); // one device's ops keep their order
                            lastRevision = rev;
                            assertThat(opAtRevision.put(rev, res.path("opId").asText())).isNull();
                        }
                    }
                }, pool));
            }
            go.countDown();
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
            pool.shutdown();

            int total = devices * opsPerDevice;
            List<Long> expected = LongStream.rangeClosed(start + 1, start + total).boxed().toList();
            assertThat(new TreeMap<>(opAtRevision).keySet()).containsExactlyElementsOf(expected);

            // serial replay of the accepted ops in revision order == the server's state
            JsonNode snapshot = base.snapshot();
            assertThat(snapshot.path("revision").asLong()).isEqualTo(start + total);
            Map<String, Long> position = new HashMap<>();
            long coinSum = 0;
            long gemSum = 0;
            Map<String, Object> lastMove = null;
            for (long rev : expected) {
                Map<String, Object> op = sent.get(opAtRevision.get(rev));
                switch ((String) op.get("kind")) {
                    case "playback.set" -> position.put((String) op.get("contentId"), (Long) op.get("positionMs"));
                    case "wallet.credit" -> coinSum += (Long) op.get("amount");
                    case "inventory.grant" -> gemSum += (Long) op.get("quantity");
                    default -> lastMove = op;
                }
            }
            position.forEach((content, pos) -> assertThat(snapshot.path("playback").path(content).path("positionMs").asLong())
                    .as(content).isEqualTo(pos));
            assertThat(snapshot.path("wallet").path(coins).asLong()).isEqualTo(coinSum);
            assertThat(snapshot.path("inventory").path(gem).asLong()).isEqualTo(gemSum);
            assertThat(snapshot.path("worldPosition").path("y").asDouble()).isEqualTo(((Number) lastMove.get("y")).doubleValue());
            assertThat(snapshot.path("worldPosition").path("x").asDouble()).isEqualTo(((Number) lastMove.get("x")).doubleValue());

            // state.events carries exactly those revisions, in order, each with its origin device and op id
            List<EventReader.Received> received = reader.await(
                    e -> e.subject().equals(base.account) && e.revision() != null && e.revision() > start,
                    total, Duration.ofSeconds(60));
            Map<String, CloudEvent> byId = new LinkedHashMap<>();
            received.forEach(x -> byId.putIfAbsent(x.event().id(), x.event()));
            List<CloudEvent> events = new ArrayList<>(byId.values());
            assertThat(events).extracting(CloudEvent::revision).containsExactlyElementsOf(expected);
            for (CloudEvent e : events) {
                String opId = opAtRevision.get(e.revision());
                assertThat(e.deviceid()).isEqualTo(deviceOf.get(opId));
                assertThat(e.data().path("opId").asText()).isEqualTo(opId);
            }
        }
    }

    @Test
    void fiftyConcurrentDebitsOnABalanceForTenLetExactlyTenThrough() throws Exception {
        Device base = Device.of("alice", "wallet-0");
        String r = run();
        String ruby = "ruby-" + r;
        base.push(List.of(credit("fund-" + r, ruby, 100)));
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<JsonNode>> debits = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Device device = base.other("wallet-" + r + "-" + i);
            String id = "spend-" + r + "-" + i;
            debits.add(CompletableFuture.supplyAsync(() -> {
                await(go);
                return device.push(List.of(debit(id, ruby, 10))).path("results").get(0);
            }, pool));
        }
        go.countDown();
        List<JsonNode> results = debits.stream().map(CompletableFuture::join).toList();
        pool.shutdown();

        List<JsonNode> applied = results.stream().filter(x -> x.path("status").asText().equals("applied")).toList();
        List<JsonNode> rejected = results.stream().filter(x -> x.path("status").asText().equals("rejected")).toList();
        assertThat(applied).hasSize(10);
        assertThat(rejected).hasSize(40).allSatisfy(x -> {
            assertThat(x.path("reason").asText()).isEqualTo("insufficient-funds");
            assertThat(x.path("current").path("balance").asLong()).isGreaterThanOrEqualTo(0);
        });
        assertThat(applied).extracting(x -> x.path("value").path("balance").asLong())
                .containsExactlyInAnyOrder(90L, 80L, 70L, 60L, 50L, 40L, 30L, 20L, 10L, 0L);
        assertThat(base.snapshot().path("wallet").path(ruby).asLong()).isZero();
        JsonNode ledger = Device.json(base.given().queryParam("limit", 1000).get("/api/state/game/ledger")
                .then().statusCode(200).extract().response());
        List<JsonNode> mine = new ArrayList<>();
        ledger.forEach(e -> {
            if (e.path("key").asText().equals(ruby)) {
                mine.add(e);
            }
        });
        assertThat(mine).hasSize(11);
        assertThat(mine).filteredOn(e -> e.path("entry").asText().equals("debit"))
                .hasSize(10).allSatisfy(e -> {
                    assertThat(e.path("delta").asLong()).isEqualTo(-10);
                    assertThat(e.path("reason").asText()).isEqualTo("test debit");
                    assertThat(e.path("deviceId").asText()).startsWith("wallet-" + r);
                });
    }

    @Test
    void aDevicePullingFromAnyRevisionReachesTheSnapshot() {
        Device tv = Device.of("alice", "tv-" + run());
        Device phone = tv.other("phone-" + run());
        String r = run();
        List<Map<String, Object>> ops = List.of(
                playback("f1-" + r, "film-" + r, 1_000, 100_000, "playing"),
                credit("f2-" + r, "gold-" + r, 50),
                Ops.purchase("f3-" + r, "gold-" + r, 20, "sword-" + r, 1),
                grant("f4-" + r, "potion-" + r, 3),
                Ops.consume("f5-" + r, "potion-" + r, 1),
                unlock("f6-" + r, "first-" + r),
                move("f7-" + r, "forest-" + r, 1.5, 2.5, -3),
                readMarker("f8-" + r, "general-" + r, 12),
                playback("f9-" + r, "film-" + r, 99_000, 100_000, "stopped"),
                Ops.document("f10-" + r, "preferences", tv.snapshot().path("preferences").path("version").asLong(),
                        Map.of("subtitles", "en-" + r)),
                readMarker("f11-" + r, "general-" + r, 20));
        List<JsonNode> snapshots = new ArrayList<>();
        snapshots.add(tv.snapshot());
        for (int i = 0; i < ops.size(); i++) {
            Device who = i % 2 == 0 ? phone : tv;
            assertThat(who.push(List.of(ops.get(i))).path("results").get(0).path("status").asText()).isEqualTo("applied");
            snapshots.add(tv.snapshot());
        }
        JsonNode target = roundTrip(Replica.normalize(tv.snapshot()));
        for (JsonNode from : snapshots) {
            for (int limit : new int[] {1, 3, 1000}) {
                Replica replica = new Replica(from);
                long cursor = from.path("revision").asLong();
                boolean more = true;
                while (more) {
                    JsonNode page = tv.changes(cursor, limit);
                    assertThat(page.path("changes").size()).isLessThanOrEqualTo(limit);
                    page.path("changes").forEach(replica::apply);
                    cursor = page.path("next").asLong();
                    more = page.path("hasMore").asBoolean();
                }
                assertThat(roundTrip(replica.state)).as("from revision %s, limit %s", from.path("revision"), limit).isEqualTo(target);
            }
        }
        JsonNode last = tv.changes(snapshots.get(0).path("revision").asLong(), 1000).path("changes");
        assertThat(last).hasSize(ops.size());
        assertThat(last.get(0).path("kind").asText()).isEqualTo("playback");
        assertThat(last.get(0).path("deviceId").asText()).isEqualTo(phone.deviceId);
        assertThat(last.get(0).path("opId").asText()).isEqualTo("f1-" + r);
        assertThat(last.get(0).path("at").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    }

    @Test
    void aCursorOlderThanTheKeptHistoryIsToldToReloadTheSnapshot() {
        Device d = Device.of("alice", "old-" + run());
        String r = run();
        d.push(List.of(readMarker("h1-" + r, "h-" + r, 1), readMarker("h2-" + r, "h-" + r, 2)));
        long now = d.revision();
        // the older changes age past the retention, and the scheduled pruning removes them
        VertxContextSupportAwait.await(() -> pool.preparedQuery("update op_log set at = now() - interval '40 days'"
                + " where account_id = $1 and revision <= $2").execute(Tuple.of(d.account, now - 1)));
        VertxContextSupportAwait.await(() -> pruner.pruneOlderThan(Duration.ofDays(30).toSeconds()));

        d.given().queryParam("since", now - 2).get("/api/state/changes")
                .then().statusCode(410).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.endsWith("/resync-required"))
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("since"))
                .body("historyFrom", org.hamcrest.Matchers.equalTo((int) (now - 1)))
                .body("snapshot", org.hamcrest.Matchers.equalTo("/api/state/snapshot"));
        JsonNode kept = d.changes(now - 1, 10).path("changes");
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).path("revision").asLong()).isEqualTo(now);
        d.given().queryParam("since", now + 5).get("/api/state/changes").then().statusCode(410);
    }

    @Test
    void thePrunerDeletesOldHistoryInBoundedBatchesAndRaisesTheFloor() {
        Device d = Device.of("alice", "prune-" + run());
        String r = run();
        List<Map<String, Object>> ops = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ops.add(grant("p" + i + "-" + r, "shell-" + r, 1));
        }
        d.push(ops);
        long now = d.revision();
        VertxContextSupportAwait.await(() -> pool.preparedQuery("update op_log set at = now() - interval '40 days' where account_id = $1")
                .execute(Tuple.of(d.account)));

        HistoryPruner.Pruned pruned = VertxContextSupportAwait.await(() -> pruner.pruneOlderThan(Duration.ofDays(30).toSeconds(), 3));

        assertThat(pruned.rows()).isGreaterThanOrEqualTo(7);
        assertThat(pruned.batches()).isGreaterThanOrEqualTo(3); // 3 + 3 + 1 rows at least: never one unbounded delete
        long left = VertxContextSupportAwait.await(() -> pool.preparedQuery("select count(*) from op_log where account_id = $1")
                .execute(Tuple.of(d.account)).map(rows -> rows.iterator().next().getLong(0)));
        assertThat(left).isZero();
        d.given().queryParam("since", now - 1).get("/api/state/changes").then().statusCode(410);
        assertThat(d.snapshot().path("inventory").path("shell-" + r).asLong()).isEqualTo(7); // state itself is kept
    }

    private static JsonNode roundTrip(JsonNode node) {
        try {
            return Device.JSON.readTree(Device.JSON.writeValueAsString(node));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(JsonNode answer, String status) {
        long n = 0;
        for (JsonNode x : answer.path("results")) {
            if (x.path("status").asText().equals(status)) {
                n++;
            }
        }
        return n;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Calls reactive code from the test thread. */
    static final class VertxContextSupportAwait {
        static <T> T await(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
            try {
                return VertxContextSupport.subscribeAndAwait(work);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
