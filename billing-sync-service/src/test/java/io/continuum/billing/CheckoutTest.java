package io.continuum.billing;

import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** {@code POST /api/billing/checkout}: one session per account and plan, even when two devices press "buy" together. */
@QuarkusTest
@QuarkusTestResource(value = Simulator.class, restrictToAnnotatedClass = false)
class CheckoutTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("two", "again", "owner", "bad");

    @BeforeEach
    void webhooksHere() {
        Billing.useTestPort();
    }

    @Test
    void twoDevicesBuyingAtTheSameMomentGetTheSameSession() throws Exception {
        TestUsers.User user = USERS.get("two");
        // two devices = two sign-ins (two sessions, two tokens), each with its own Idempotency-Key
        List<Billing> devices = List.of(new Billing(user.signIn().accessToken()), new Billing(user.signIn().accessToken()));
        for (int round = 0; round < 3; round++) {
            String plan = List.of("premium-monthly", "premium-yearly", "family-monthly").get(round);
            CyclicBarrier together = new CyclicBarrier(2);
            List<CompletableFuture<Response>> calls = devices.stream().map(d -> CompletableFuture.supplyAsync(() -> {
                try {
                    together.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return d.checkout(plan, UUID.randomUUID().toString());
            })).toList();
            List<Response> answers = calls.stream().map(CompletableFuture::join).toList();
            assertThat(answers).extracting(Response::statusCode).containsExactlyInAnyOrder(201, 200);
            assertThat(answers).extracting(r -> r.path("sessionId").toString()).as("one session for both devices").containsOnly(
                    answers.get(0).path("sessionId").toString());
            assertThat(answers.get(0).path("url").toString()).startsWith(Simulator.url + "/checkout/cs_test_");
        }
    }

    @Test
    void aRetriedRequestWithTheSameKeyGetsTheFirstAnswer() {
        Billing api = new Billing(USERS.get("again").accessToken());
        String key = UUID.randomUUID().toString();
        String first = api.checkout("premium-monthly", key).then().statusCode(201).extract().path("sessionId");
        api.checkout("premium-monthly", key).then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("sessionId", equalTo(first));
        api.checkout("family-monthly", key).then().statusCode(422).contentType("application/problem+json");
    }

    @Test
    void anAccountThatHoldsThePlansEntitlementsGets409WithItsSubscription() {
        Billing api = new Billing(USERS.get("owner").accessToken());
        api.buy("premium-monthly");
        api.awaitEntitlement("premium", "active");
        String sub = api.subscriptions().get(0).path("id").asText();
        api.checkout("premium-yearly", UUID.randomUUID().toString()).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/already-entitled"))
                .body("subscription.id", equalTo(sub)).body("subscription.status", equalTo("active"));
        // an upgrade grants more: allowed
        api.checkout("family-monthly", UUID.randomUUID().toString()).then().statusCode(201);
    }

    @Test
    void badRequestsGetProblemsNamingTheField() {
        Billing api = new Billing(USERS.get("bad").accessToken());
        api.checkout("no-such-plan", UUID.randomUUID().toString()).then().statusCode(422)
                .contentType("application/problem+json").body("errors[0].field", equalTo("planId"));
        given().auth().oauth2(api.token()).contentType("application/json").body("{}").header("Idempotency-Key", "k1")
                .post("/api/billing/checkout").then().statusCode(422).body("errors[0].field", equalTo("planId"));
        given().auth().oauth2(api.token()).contentType("application/json").body("{\"planId\":\"premium-monthly\"}")
                .post("/api/billing/checkout").then().statusCode(400).body("errors[0].field", equalTo("Idempotency-Key"));
        given().contentType("application/json").body("{\"planId\":\"premium-monthly\"}").header("Idempotency-Key", "k2")
                .post("/api/billing/checkout").then().statusCode(401);
        given().auth().oauth2(api.token()).contentType("application/json").body("{not json").header("Idempotency-Key", "k3")
                .post("/api/billing/checkout").then().statusCode(400).contentType(startsWith("application/problem+json"));
    }
}
