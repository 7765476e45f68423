package io.continuum.notification.api;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.TestUsers;
import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.events.EventTypes;
import io.continuum.notification.support.WsClient;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** Chat channels, presence and "read on one device clears the others", against the real stack. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class ChannelsPresenceReadTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann", "ben", "cat");
    static final TestUsers.User ANN = USERS.get("ann");
    static final TestUsers.User BEN = USERS.get("ben");
    static final TestUsers.User CAT = USERS.get("cat");

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URL root;

    private String base() {
        return root.toString().replaceAll("/$", "");
    }

    private static String device(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aMessagePostedTwiceIsStoredOnceAndReachesEveryMembersDevicesButNotOthers() {
        Tokens.TokenSet alice = ANN.signIn();
        Tokens.TokenSet bob = BEN.signIn();
        Tokens.TokenSet carol = CAT.signIn();
        String channel = given().auth().oauth2(alice.accessToken()).contentType("application/json")
                .body(Map.of("name", "movie night", "members", List.of(bob.subject())))
                .post(base() + "/api/notifications/channels")
                .then().statusCode(201).body("members", hasItem(bob.subject())).extract().path("channelId");
        String aliceDevice = device("alice-phone");
        try (WsClient bobs = WsClient.to(base()).token(bob.accessToken()).device(device("bob-tv")).connect();
                WsClient alices = WsClient.to(base()).token(alice.accessToken()).device(aliceDevice).connect();
                WsClient carols = WsClient.to(base()).token(carol.accessToken()).device(device("carol")).connect()) {
            bobs.awaitType("live");
            alices.awaitType("live");
            carols.awaitType("live");
            for (int i = 0; i < 2; i++) { // the client retries: same client message id
                given().auth().oauth2(alice.accessToken()).header("X-Device-Id", aliceDevice).contentType("application/json")
                        .body(Map.of("clientMessageId", "m-1", "body", "popcorn?"))
                        .post(base() + "/api/notifications/channels/" + channel + "/messages")
                        .then().statusCode(i == 0 ? 201 : 200).body("seq", equalTo(1)).body("body", equalTo("popcorn?"));
            }
            JsonNode atBob = bobs.awaitType("continuum.chat.message-posted.v1");
            assertThat(atBob.path("data").path("body").asText()).isEqualTo("popcorn?");
            assertThat(atBob.path("data").path("channelSeq").asLong()).isEqualTo(1);
            assertThat(atBob.path("class").asText()).isEqualTo("ordered");
            JsonNode atAlice = alices.awaitType("continuum.chat.message-posted.v1");
            assertThat(atAlice.path("echo").asBoolean()).isTrue();

            // over the socket too, with the same idempotency
            bobs.send(Map.of("type", "publish", "channel", channel, "clientMessageId", "b-1", "body", "yes!", "ref", "x"));
            bobs.send(Map.of("type", "publish", "channel", channel, "clientMessageId", "b-1", "body", "yes!", "ref", "y"));
            await().atMost(WAIT).until(() -> bobs.ofType("published").size() == 2);
            assertThat(bobs.ofType("published")).extracting(p -> p.path("duplicate").asBoolean()).containsExactly(false, true);
            assertThat(alices.awaitFrame(f -> "yes!".equals(f.path("data").path("body").asText()), WAIT)
                    .path("data").path("channelSeq").asLong()).isEqualTo(2);

            assertThat(carols.frames.toString()).doesNotContain("popcorn").doesNotContain("yes!");
        }
        // history with paging, members only
        given().auth().oauth2(bob.accessToken()).get(base() + "/api/notifications/channels/" + channel + "/messages?limit=1")
                .then().statusCode(200).body("messages.size()", equalTo(1)).body("messages[0].body", equalTo("yes!"))
                .body("nextBefore", equalTo(2));
        given().auth().oauth2(bob.accessToken()).get(base() + "/api/notifications/channels/" + channel + "/messages?before=2")
                .then().statusCode(200).body("messages[0].body", equalTo("popcorn?"));
        given().auth().oauth2(carol.accessToken()).get(base() + "/api/notifications/channels/" + channel + "/messages")
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(carol.accessToken()).header("X-Device-Id", "c").contentType("application/json")
                .body(Map.of("clientMessageId", "c-1", "body", "let me in"))
                .post(base() + "/api/notifications/channels/" + channel + "/messages")
                .then().statusCode(404);
        given().auth().oauth2(alice.accessToken()).contentType("application/json")
                .body(Map.of("clientMessageId", "bad id!", "body", "x"))
                .post(base() + "/api/notifications/channels/" + channel + "/messages")
                .then().statusCode(422).contentType("application/problem+json").body("errors[0].field", equalTo("clientMessageId"));
        given().auth().oauth2(alice.accessToken()).get(base() + "/api/notifications/channels/" + channel + "/messages?limit=0")
                .then().statusCode(422).body("errors[0].field", equalTo("limit"));
    }

    @Test
    void devicesSeeEachOtherComeAndGoAndPresenceIsPublished() throws Exception {
        Tokens.TokenSet alice = ANN.signIn();
        String a = device("phone"), b = device("tv");
        try (EventReader reader = new EventReader(io.continuum.events.Topics.NOTIFICATION_EVENTS);
                WsClient devA = WsClient.to(base()).token(alice.accessToken()).device(a).connect()) {
            devA.awaitType("live");
            WsClient devB = WsClient.to(base()).token(alice.accessToken()).device(b).connect();
            devB.awaitType("live");
            // a snapshot of the account's online devices (coalesced per interval), not one frame per device pair
            JsonNode came = devA.awaitFrame(f -> "presence".equals(f.path("type").asText()) && lists(f, b), WAIT);
            assertThat(lists(came, a)).isTrue();
            given().auth().oauth2(alice.accessToken()).get(base() + "/api/notifications/presence")
                    .then().statusCode(200).body("online.deviceId", org.hamcrest.Matchers.hasItems(a, b));
            devB.close();
            JsonNode went = devA.awaitFrame(f -> "presence".equals(f.path("type").asText()) && !lists(f, b)
                    && devA.frames.indexOf(f) > devA.frames.indexOf(came), WAIT);
            assertThat(lists(went, a)).isTrue();
            await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice.accessToken()).get(base() + "/api/notifications/presence")
                    .then().statusCode(200).body("online.deviceId", org.hamcrest.Matchers.not(hasItem(b))));
            var published = reader.await(e -> e.type().equals(EventTypes.PRESENCE_CHANGED.type()) && alice.subject().equals(e.subject())
                    && b.equals(e.data().path("deviceId").asText()), 2, WAIT);
            assertThat(published).extracting(r -> r.event().data().path("online").asBoolean()).containsExactly(true, false);
        }
    }

    private static boolean lists(JsonNode presence, String deviceId) {
        for (JsonNode d : presence.path("online")) {
            if (deviceId.equals(d.path("deviceId").asText())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void readOnOneDeviceClearsTheOthers() {
        Tokens.TokenSet alice = ANN.signIn();
        String a = device("phone"), b = device("laptop");
        try (WsClient devA = WsClient.to(base()).token(alice.accessToken()).device(a).connect();
                WsClient devB = WsClient.to(base()).token(alice.accessToken()).device(b).connect()) {
            devA.awaitType("live");
            devB.awaitType("live");
            devA.send(Map.of("type", "read", "id", "notif-42", "ref", "r"));
            JsonNode onB = devB.awaitType("continuum.notification.read.v1");
            assertThat(onB.path("data").path("id").asText()).isEqualTo("notif-42");
            assertThat(onB.path("origin").asText()).isEqualTo(a);
            assertThat(onB.path("echo").asBoolean()).isFalse();
            assertThat(devA.awaitType("read-ok").path("ref").asText()).isEqualTo("r");
            assertThat(devA.awaitType("continuum.notification.read.v1").path("echo").asBoolean()).isTrue();
            // the same over REST, from a device without a socket
            given().auth().oauth2(alice.accessToken()).header("X-Device-Id", "web-1").contentType("application/json")
                    .body(Map.of("id", "notif-43")).post(base() + "/api/notifications/read").then().statusCode(200).body("id", equalTo("notif-43"));
            devB.awaitFrame(f -> "notif-43".equals(f.path("data").path("id").asText()), WAIT);
            given().auth().oauth2(alice.accessToken()).header("X-Device-Id", "web-1").contentType("application/json")
                    .body(Map.of("id", "")).post(base() + "/api/notifications/read")
                    .then().statusCode(422).body("errors[0].field", equalTo("id"));
        }
    }
}
