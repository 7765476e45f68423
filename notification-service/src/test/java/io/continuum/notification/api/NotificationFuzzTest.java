package io.continuum.notification.api;

import static io.restassured.RestAssured.given;

import io.continuum.testing.LocalStackResource;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import io.continuum.testing.fuzz.Fuzz;
import io.continuum.testing.fuzz.HostileBodies;
import io.continuum.testing.fuzz.HttpFuzz;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 8: hostile bodies and paths (libs/testing fuzz) on notification-service's REST endpoints (the WebSocket is
 * tested elsewhere). Each answer: below 500, problem+json when 4xx, under a second; a rejected one leaves the
 * account's channels and stream as they were.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class NotificationFuzzTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("nfz");

    private final Tokens.TokenSet session = USERS.get("nfz").signIn();
    private final Map<String, String> headers = Map.of("Authorization", "Bearer " + session.accessToken(),
            "X-Device-Id", "nfz-" + UUID.randomUUID().toString().substring(0, 8));

    /** The account's channels (with heads and members) and its stream head. */
    private Supplier<Object> state() {
        return () -> given().auth().oauth2(session.accessToken()).get("/api/notifications/channels").then().statusCode(200)
                .extract().asString()
                + given().auth().oauth2(session.accessToken()).get("/api/notifications/stream?limit=1").then().statusCode(200)
                .extract().path("head");
    }

    private String channel() {
        return given().auth().oauth2(session.accessToken()).contentType("application/json")
                .body(Map.of("name", "fuzz", "members", List.of())).post("/api/notifications/channels")
                .then().statusCode(201).extract().path("channelId");
    }

    @Test
    void markRead() {
        Fuzz.check("POST /api/notifications/read", HostileBodies.of("{\"id\":\"n-1\"}", 5L, 30),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "POST", "/api/notifications/read"), state());
    }

    @Test
    void createChannel() {
        Fuzz.check("POST /api/notifications/channels", HostileBodies.of("{\"name\":\"fuzz\",\"members\":[\"acct-1\"]}", 5L, 30),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "POST", "/api/notifications/channels"), state());
    }

    @Test
    void addMember() {
        String id = channel();
        Fuzz.check("POST /api/notifications/channels/{id}/members", HostileBodies.of("{\"accountId\":\"acct-2\"}", 5L, 30),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "POST", "/api/notifications/channels/" + id + "/members"), state());
    }

    @Test
    void postMessage() {
        String id = channel();
        Fuzz.check("POST /api/notifications/channels/{id}/messages",
                HostileBodies.of("{\"clientMessageId\":\"m-1\",\"body\":\"hello\\nworld\"}", 5L, 30),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "POST", "/api/notifications/channels/" + id + "/messages"), state());
    }

    @Test
    void hostilePathsAndQueries() {
        String id = channel();
        Fuzz.check("GET /api/notifications/** (paths and queries)", HttpFuzz.paths(
                        "/api/notifications/stream?after=", "/api/notifications/stream?after=-1", "/api/notifications/stream?limit=0",
                        "/api/notifications/stream?after=99999999999999999999", "/api/notifications/stream?after=%00",
                        "/api/notifications/channels/a%00b", "/api/notifications/channels/" + "x".repeat(3000),
                        "/api/notifications/channels/" + id + "/messages?limit=-5", "/api/notifications/channels/" + id + "/messages?before=x",
                        "/api/notifications/channels/%ff/messages", "/api/notifications/nothing"),
                HttpFuzz.pathSender(HttpFuzz.quarkusTestUrl(), headers, "GET"), state());
    }
}
