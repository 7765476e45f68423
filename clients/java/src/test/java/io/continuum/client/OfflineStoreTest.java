package io.continuum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real H2 file store in a temporary directory; nothing faked. */
class OfflineStoreTest {

    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    static ObjectNode op(String id, long amount) {
        return JSON.createObjectNode().put("opId", id).put("kind", "wallet.credit").put("currency", "gold").put("amount", amount);
    }

    @Test
    void keepsOrderAndSurvivesAReopen() {
        try (OfflineStore s = OfflineStore.open(dir, "phone-1")) {
            for (int i = 0; i < 50; i++) {
                s.enqueue(op("op-" + i, i + 1));
            }
            s.put("cursor", "e1:41");
        }
        try (OfflineStore s = OfflineStore.open(dir, "phone-1")) {
            List<OfflineStore.QueuedOp> all = s.all();
            assertThat(all).hasSize(50);
            assertThat(all).extracting(OfflineStore.QueuedOp::opId).startsWith("op-0", "op-1", "op-2").endsWith("op-49");
            assertThat(all.get(7).op().path("amount").asLong()).isEqualTo(8);
            assertThat(s.head(3)).extracting(OfflineStore.QueuedOp::opId).containsExactly("op-0", "op-1", "op-2");
            assertThat(s.get("cursor")).contains("e1:41");
        }
    }

    @Test
    void theSameOpIdIsQueuedOnce() {
        try (OfflineStore s = OfflineStore.open(dir, "d")) {
            s.enqueue(op("a", 1));
            s.enqueue(op("a", 1));
            assertThat(s.size()).isEqualTo(1);
        }
    }

    @Test
    void aDeadLetterLeavesTheQueueWithItsReasonAndTheRestKeepsItsOrder() {
        try (OfflineStore s = OfflineStore.open(dir, "d")) {
            s.enqueue(op("a", 1));
            s.enqueue(op("b", 2));
            s.enqueue(op("c", 3));
            s.deadLetter("b", "insufficient-funds", "debiting 2 gold would make the balance negative");
            s.countAttempt(List.of("a"));
            assertThat(s.all()).extracting(OfflineStore.QueuedOp::opId).containsExactly("a", "c");
            assertThat(s.all().get(0).attempts()).isEqualTo(1);
            assertThat(s.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.opId()).isEqualTo("b");
                assertThat(d.reason()).isEqualTo("insufficient-funds");
                assertThat(d.op().path("amount").asLong()).isEqualTo(2);
            });
        }
    }

    @Test
    void storesOfTwoDevicesAreSeparate() {
        try (OfflineStore a = OfflineStore.open(dir, "a"); OfflineStore b = OfflineStore.open(dir, "b")) {
            a.enqueue(op("x", 1));
            assertThat(b.size()).isZero();
            a.put("k", "v");
            a.put("k", null);
            assertThat(a.get("k")).isEmpty();
        }
    }

    /** The state and the cursor it belongs to are written together: both or neither, and a null value deletes. */
    @Test
    void putAllWritesEveryKeyInOneTransaction() {
        try (OfflineStore s = OfflineStore.open(dir, "tv-1")) {
            s.put("refreshToken", "old");
            java.util.Map<String, String> due = new java.util.HashMap<>();
            due.put("state", "{\"revision\":7}");
            due.put("cursor", "e1:9");
            due.put("refreshToken", null);
            s.putAll(due);
        }
        try (OfflineStore s = OfflineStore.open(dir, "tv-1")) {
            assertThat(s.get("state")).contains("{\"revision\":7}");
            assertThat(s.get("cursor")).contains("e1:9");
            assertThat(s.get("refreshToken")).isEmpty();
            String tooLongKey = "k".repeat(65); // the kv key column holds 64: the statement fails inside the transaction
            java.util.Map<String, String> failing = new java.util.LinkedHashMap<>();
            failing.put("cursor", "e1:10");
            failing.put(tooLongKey, "x");
            assertThatThrownBy(() -> s.putAll(failing)).isInstanceOf(IllegalStateException.class);
            assertThat(s.get("cursor")).as("nothing of a failed write is kept").contains("e1:9");
        }
    }
}
