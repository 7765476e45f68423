package io.continuum.billing.simulator;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The simulator as the provider: a checkout paid on its page sends Stripe-signed webhooks to the merchant's endpoint
 * (here a plain JDK HTTP server of the test) and retries until a 2xx; behaviours reorder and duplicate.
 */
@QuarkusTest
class WebhookDeliveryTest {

    record Received(String signature, String body) {}

    HttpServer endpoint;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger failFirst = new AtomicInteger();
    String key;
    String secret;

    @BeforeEach
    void endpoint() throws Exception {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(ex.getRequestHeaders().getFirst("Stripe-Signature"), body));
            int status = failFirst.getAndDecrement() > 0 ? 500 : 200;
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        endpoint.start();
        var merchant = given().contentType("application/json")
                .body("{\"webhookUrl\":\"http://127.0.0.1:" + endpoint.getAddress().getPort() + "/hook\"}")
                .post("/sim/merchants").then().statusCode(200).extract();
        key = merchant.path("apiKey");
        secret = merchant.path("webhookSecret");
    }

    @AfterEach
    void stop() {
        endpoint.stop(0);
    }

    String checkout() {
        return given().header("Authorization", "Bearer " + key).contentType("application/x-www-form-urlencoded")
                .formParam("line_items[0][price]", "premium-monthly").formParam("client_reference_id", "acc-1")
                .formParam("subscription_data[metadata][account_id]", "acc-1")
                .post("/v1/checkout/sessions").then().statusCode(200).extract().path("id");
    }

    @Test
    void aPaidCheckoutSendsSignedEventsInOrderAndRetriesUntilAccepted() {
        failFirst.set(2);
        String session = checkout();
        given().get("/checkout/" + session).then().statusCode(200).contentType("text/html");
        given().redirects().follow(false).formParam("outcome", "paid").post("/checkout/" + session).then().statusCode(303);

        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 5);
        // sent in order; the first two deliveries were refused (500) and each was retried once, after a backoff
        assertThat(received.subList(0, 3)).extracting(r -> type(r.body()))
                .containsExactly("checkout.session.completed", "customer.subscription.created", "invoice.paid");
        assertThat(received.subList(3, 5)).extracting(r -> type(r.body()))
                .containsExactlyInAnyOrder("checkout.session.completed", "customer.subscription.created");
        given().get("/sim/merchants/" + key + "/deliveries").then().statusCode(200)
                .body("findAll { it.attempt == 2 }.status", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.equalTo(200)));
        for (Received r : received) {
            String[] parts = r.signature().split(",");
            String t = parts[0].substring(2);
            String v1 = parts[1].substring(3);
            assertThat(v1).isEqualTo(HexFormat.of().formatHex(WebhookSender.hmac(secret, t + "." + r.body())));
        }
        given().header("Authorization", "Bearer " + key).get("/v1/subscriptions").then().statusCode(200)
                .body("data[0].status", org.hamcrest.Matchers.equalTo("active"))
                .body("data[0].metadata.account_id", org.hamcrest.Matchers.equalTo("acc-1"));
        given().header("Authorization", "Bearer sk_test_nobody").get("/v1/subscriptions").then().statusCode(401);
    }

    @Test
    void outOfOrderAndDuplicateBehaviours() {
        given().contentType("application/json").body("{\"duplicates\":true,\"outOfOrder\":true}")
                .put("/sim/merchants/" + key + "/behaviour").then().statusCode(200);
        given().post("/sim/merchants/" + key + "/checkout/" + checkout() + "/complete").then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 6);
        assertThat(received).extracting(r -> type(r.body())).containsExactly("invoice.paid", "invoice.paid",
                "customer.subscription.created", "customer.subscription.created",
                "checkout.session.completed", "checkout.session.completed");
    }

    static String type(String body) {
        int i = body.indexOf("\"type\":\"") + 8;
        return body.substring(i, body.indexOf('"', i));
    }
}
