package io.continuum.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

/**
 * What every service promises at its secured whoami endpoint and its operational endpoints. A service's test
 * extends this with its own path (and its own {@code @QuarkusTest} annotations).
 */
public abstract class SecuredEndpointContract {

    /** e.g. {@code /api/auth/whoami} */
    protected abstract String whoamiPath();

    @Test
    void demoUserTokenIsAccepted() {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        given().auth().oauth2(alice.accessToken()).header("X-Device-Id", "laptop-1")
                .get(whoamiPath())
                .then().statusCode(200)
                .body("accountId", equalTo(alice.subject()))
                .body("username", equalTo("alice"))
                .body("sessionId", equalTo(alice.sessionId()))
                .body("deviceId", equalTo("laptop-1"));
    }

    @Test
    void missingTokenIs401() {
        given().get(whoamiPath()).then().statusCode(401);
    }

    @Test
    void tamperedTokenIs401() {
        String[] parts = Tokens.accessToken("bob").split("\\.");
        // flip the payload to alice's claims while keeping bob's signature
        String alicePayload = Tokens.accessToken("alice").split("\\.")[1];
        given().auth().oauth2(parts[0] + "." + alicePayload + "." + parts[2]).get(whoamiPath()).then().statusCode(401);
    }

    @Test
    void healthAndMetricsAndOpenApiAreServed() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi?format=json").then().statusCode(200).body("openapi", notNullValue());
    }
}
