package io.continuum.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
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
    void missingOrTamperedTokenIs401WithoutDetail() {
        given().get("/test/counters").then().statusCode(401);
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        given().auth().oauth2(tampered).get("/test/counters").then().statusCode(401)
                .body(emptyOrNullString());
    }

    @Test
    void unknownPathIsProblemJson() {
        given().auth().oauth2(token).get("/test/nothing-here").then().statusCode(404)
                .body(containsString("404"));
    }
}
