package io.continuum.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class ProblemDetailsTest {

    private final String token = Tokens.accessToken("bob");

    @Test
    void validationErrorsNameTheFields() {
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"label\":\"\",\"delta\":5000}")
                .post("/test/counters")
                .then().statusCode(422).contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("errors.field", hasItems("label", "delta"));
    }

    @Test
    void aDatabaseThatRefusesConnectionsIs503ProblemWithRetryAfterNot500() {
        given().auth().oauth2(token).get("/test/counters/database-down")
                .then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "5")
                .body("type", containsString("database-unavailable"));
    }

    @Test
    void aConnectionEndedByTheServerIs503ProblemNot500() {
        given().auth().oauth2(token).get("/test/counters/connection-terminated")
                .then().statusCode(503).contentType("application/problem+json")
                .body("type", containsString("database-unavailable"));
        // the pool replaces the lost connection by itself
        given().auth().oauth2(token).get("/test/counters").then().statusCode(200);
    }

    @Test
    void malformedJsonIs400() {
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"label\": ")
                .post("/test/counters")
                .then().statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("Malformed request"));
    }

    @Test
    void wrongTypeNamesTheField() {
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"label\":\"x\",\"delta\":\"many\"}")
                .post("/test/counters")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("delta"));
    }

    @Test
    void badDeviceHeaderIs400() {
        given().auth().oauth2(token).header("X-Device-Id", "no spaces allowed")
                .get("/test/counters")
                .then().statusCode(400).body("errors[0].field", equalTo("X-Device-Id"));
    }

    @Test
    void deviceHeaderIsRead() {
        given().auth().oauth2(token).header("X-Device-Id", "phone-1")
                .get("/test/counters")
                .then().statusCode(200).body("device", equalTo("phone-1"));
    }

    @Test
    void missingOrTamperedTokenIs401ProblemThatDoesNotSayWhichCheckFailed() {
        given().get("/test/counters").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"continuum\""))
                .body("type", equalTo("https://continuum.dev/problems/unauthorized"));
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        given().auth().oauth2(tampered).get("/test/counters").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""))
                .body("type", equalTo("https://continuum.dev/problems/unauthorized"))
                .body("detail", equalTo("a valid bearer token is required"));
    }

    @Test
    void unknownPathIsProblemJson() {
        given().auth().oauth2(token).get("/test/nothing-here").then().statusCode(404)
                .body(containsString("404"));
    }
}
