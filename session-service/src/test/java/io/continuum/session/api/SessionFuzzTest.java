package io.continuum.session.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.session.Device;
import io.continuum.testing.fuzz.Fuzz;
import io.continuum.testing.fuzz.HostileBodies;
import io.continuum.testing.fuzz.HttpFuzz;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 8: hostile bodies (libs/testing fuzz: fixed classes + seeded random mutations) on every write endpoint of
 * session-service. Each answer: below 500, problem+json when 4xx, under a second; a rejected one leaves the account's
 * snapshot as it was.
 */
@QuarkusTest
class SessionFuzzTest {

    private final Device device = Device.of("carol", "fuzz-" + UUID.randomUUID().toString().substring(0, 8));
    private final Map<String, String> headers = Map.of("Authorization", "Bearer " + device.token(), "X-Device-Id", device.deviceId);

    private Supplier<Object> snapshot() {
        return () -> {
            JsonNode s = device.snapshot();
            return s.toString();
        };
    }

    @Test
    void opsBatch() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String valid = "{\"ops\":[{\"opId\":\"fz-" + tag + "\",\"kind\":\"inventory.grant\",\"itemId\":\"gem-" + tag
                + "\",\"quantity\":1,\"reason\":\"fuzz\"}]}";
        // warm up the path once (the first request of a fresh JVM compiles a lot)
        HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "POST", "/api/state/ops")
                .apply(io.continuum.testing.fuzz.HostileRequest.json("warm-up", "{\"ops\":[]}"));
        Fuzz.check("POST /api/state/ops", HostileBodies.of(valid, 8L, 40),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "POST", "/api/state/ops"), snapshot());
    }

    @Test
    void profileDocument() {
        String valid = "{\"displayName\":\"Carol\",\"avatar\":{\"color\":\"blue\",\"size\":3},\"tags\":[\"a\",\"b\"]}";
        Map<String, String> put = new java.util.HashMap<>(headers);
        put.put("If-Match", "\"999999\""); // stale on purpose: even a valid body may not change anything here
        Fuzz.check("PUT /api/state/profile", HostileBodies.of(valid, 8L, 40),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), put, "PUT", "/api/state/profile"), snapshot());
    }

    @Test
    void hostilePathsAndQueries() {
        Fuzz.check("GET /api/state/** (paths and queries)", HttpFuzz.paths(
                        "/api/state/changes?since=", "/api/state/changes?since=-1",
                        "/api/state/changes?since=99999999999999999999", "/api/state/changes?since=1&limit=0",
                        "/api/state/changes?since=a%00b", "/api/state/playback/a%00b",
                        "/api/state/playback/" + "x".repeat(3000), "/api/state/playback/%ff%fe",
                        "/api/state/continue-watching?limit=%00", "/api/state/game/ledger?limit=1e3",
                        "/api/state/nothing-here"),
                HttpFuzz.pathSender(HttpFuzz.quarkusTestUrl(), headers, "GET"), snapshot());
    }
}
