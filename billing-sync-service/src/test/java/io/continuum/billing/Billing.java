package io.continuum.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** The billing API as one signed-in device calls it (test helper). */
public record Billing(String token) {

    static final ObjectMapper JSON = new ObjectMapper();

    public Response checkout(String planId, String idempotencyKey) {
        return given().auth().oauth2(token).header("Idempotency-Key", idempotencyKey).contentType("application/json")
                .body("{\"planId\":\"" + planId + "\"}").post("/api/billing/checkout");
    }

    public Response entitlementsResponse() {
        return given().auth().oauth2(token).get("/api/billing/entitlements");
    }

    public JsonNode entitlements() {
        return json(entitlementsResponse().then().statusCode(200).extract().asString()).path("entitlements");
    }

    /** The entitlement's JSON, or a missing node. */
    public JsonNode entitlement(String name) {
        for (JsonNode e : entitlements()) {
            if (name.equals(e.path("entitlement").asText())) {
                return e;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    public JsonNode awaitEntitlement(String name, String state) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> state.equals(entitlement(name).path("state").asText()));
        return entitlement(name);
    }

    public JsonNode subscriptions() {
        return json(given().auth().oauth2(token).get("/api/billing/subscriptions").then().statusCode(200).extract().asString())
                .path("subscriptions");
    }

    public Response cancel(String subscriptionId) {
        return given().auth().oauth2(token).header("Idempotency-Key", UUID.randomUUID().toString())
                .post("/api/billing/subscriptions/" + subscriptionId + "/cancel");
    }

    /** Checkout + pay at the simulator; returns the provider's subscription object. */
    public JsonNode buy(String planId) {
        String session = checkout(planId, UUID.randomUUID().toString()).then().statusCode(201).extract().path("sessionId");
        return Simulator.pay(session);
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    static void useTestPort() {
        Simulator.pointWebhooksAt(RestAssured.port);
    }
}
