package io.continuum.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reconciliation rules on plain JSON; nothing faked. */
class LocalStateTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ObjectNode debit(String id, long amount) {
        return JSON.createObjectNode().put("opId", id).put("kind", "wallet.debit").put("currency", "gold").put("amount", amount);
    }

    @Test
    void pendingOpsShowOnTopOfTheConfirmedStateAndARejectedOneRollsBack() {
        LocalState s = new LocalState();
        s.loadSnapshot(json("{\"revision\":5,\"wallet\":{\"gold\":100}}"));
        ObjectNode a = debit("a", 30);
        ObjectNode b = debit("b", 50);
        assertThat(s.view(List.of(a, b)).wallet("gold")).isEqualTo(20);
        assertThat(s.view(List.of(a, b)).pending()).isEqualTo(2);
        // another device spent 60 first: a still fits, b is rejected by the server and leaves the queue
        assertThat(s.apply(6, "wallet", "gold", "tv", "tv-1", json("{\"currency\":\"gold\",\"balance\":40}"))).isEqualTo(LocalState.Fold.APPLIED);
        assertThat(s.view(List.of(a)).wallet("gold")).isEqualTo(10);
        assertThat(s.apply(7, "wallet", "gold", "phone", "a", json("{\"currency\":\"gold\",\"balance\":10}"))).isEqualTo(LocalState.Fold.APPLIED);
        // the echo of a came before its answer: not counted twice while it is still queued
        assertThat(s.view(List.of(a)).wallet("gold")).isEqualTo(10);
        assertThat(s.view(List.of(a)).pending()).isZero();
        s.answered("a");
        assertThat(s.view(List.of()).wallet("gold")).isEqualTo(10);
        assertThat(s.revision()).isEqualTo(7);
    }

    @Test
    void aSkippedRevisionIsAGapAndAnOldOneIsIgnored() {
        LocalState s = new LocalState();
        s.loadSnapshot(json("{\"revision\":10}"));
        assertThat(s.apply(12, "wallet", "gold", "x", "o", json("{\"balance\":1}"))).isEqualTo(LocalState.Fold.GAP);
        assertThat(s.revision()).isEqualTo(10);
        assertThat(s.apply(10, "wallet", "gold", "x", "o", json("{\"balance\":1}"))).isEqualTo(LocalState.Fold.OLD);
        assertThat(s.apply(11, "wallet", "gold", "x", "o", json("{\"balance\":1}"))).isEqualTo(LocalState.Fold.APPLIED);
    }

    @Test
    void changesAreSetsPerKind() {
        LocalState s = new LocalState();
        s.loadSnapshot(json("{\"revision\":0}"));
        s.apply(1, "playback", "m1", "phone", "p1", json("{\"contentId\":\"m1\",\"positionMs\":754567,\"durationMs\":5400000,\"state\":\"paused\",\"finished\":false}"));
        s.apply(2, "purchase", "sword", "tv", "p2", json("{\"currency\":\"gold\",\"balance\":70,\"price\":30,\"itemId\":\"sword\",\"quantity\":2,\"granted\":1}"));
        s.apply(3, "read-marker", "general", "tv", "p3", json("{\"channel\":\"general\",\"seq\":41}"));
        s.apply(4, "world-position", "position", "tv", "p4", json("{\"zone\":\"forest\",\"x\":1.5,\"y\":2,\"z\":3}"));
        AccountState v = s.view(List.of());
        assertThat(v.playback("m1")).get().satisfies(p -> {
            assertThat(p.positionMs()).isEqualTo(754_567);
            assertThat(p.state()).isEqualTo("paused");
            assertThat(p.deviceId()).isEqualTo("phone");
        });
        assertThat(v.wallet("gold")).isEqualTo(70);
        assertThat(v.inventory("sword")).isEqualTo(2);
        assertThat(v.readMarker("general")).isEqualTo(41);
        assertThat(v.json().path("worldPosition").path("zone").asText()).isEqualTo("forest");
        assertThat(v.revision()).isEqualTo(4);
    }

    @Test
    void optimisticGuessesFollowTheServerRules() {
        LocalState s = new LocalState();
        s.loadSnapshot(json("{\"revision\":1,\"wallet\":{\"gold\":10}}"));
        ObjectNode tooMuch = debit("x", 11);
        ObjectNode purchase = JSON.createObjectNode().put("opId", "y").put("kind", "game.purchase").put("currency", "gold")
                .put("price", 10).put("itemId", "shield").put("quantity", 1);
        ObjectNode play = JSON.createObjectNode().put("opId", "z").put("kind", "playback.set").put("contentId", "m")
                .put("positionMs", 5).put("durationMs", 100).put("state", "playing");
        AccountState v = s.view(List.of(tooMuch, purchase, play));
        assertThat(v.wallet("gold")).isZero();
        assertThat(v.inventory("shield")).isEqualTo(1);
        assertThat(v.playback("m")).get().extracting(AccountState.Playback::pending).isEqualTo(true);
    }

    @Test
    void savedStateComesBack() {
        LocalState s = new LocalState();
        s.loadSnapshot(json("{\"revision\":9,\"wallet\":{\"gold\":3}}"));
        LocalState t = new LocalState();
        t.restore(s.save());
        assertThat(t.revision()).isEqualTo(9);
        assertThat(t.view(List.of()).wallet("gold")).isEqualTo(3);
    }
}
