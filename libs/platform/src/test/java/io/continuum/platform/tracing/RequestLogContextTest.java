package io.continuum.platform.tracing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Every log line of a request names its account and device (never the token); a forged device id is left out. */
@QuarkusTest
class RequestLogContextTest {

    @Test
    void theRequestsLogContextHasTheAccountAndTheDevice() {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        given().auth().oauth2(alice.accessToken()).header("X-Device-Id", "phone-7")
                .get("/test/counters/log-context").then().statusCode(200)
                .body("accountId", equalTo(alice.subject()))
                .body("deviceId", equalTo("phone-7"));
    }

    @Test
    void aMalformedDeviceIdIsNotLoggedAndOneRequestsContextDoesNotLeakIntoTheNext() {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        given().auth().oauth2(alice.accessToken()).header("X-Device-Id", "phone-7")
                .get("/test/counters/log-context").then().statusCode(200);
        given().auth().oauth2(alice.accessToken()).header("X-Device-Id", "bad id\nINFO forged line")
                .get("/test/counters/log-context").then().statusCode(200)
                .body("accountId", equalTo(alice.subject()))
                .body("deviceId", equalTo("null"));
    }
}
