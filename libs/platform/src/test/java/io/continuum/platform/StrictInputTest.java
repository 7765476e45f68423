package io.continuum.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/** The strict input rules of libs/platform (StrictJson, RequestRules), on the platform test application. */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class StrictInputTest {

    private final String token = Tokens.accessToken("bob");

    private RequestSpecification json(String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body);
    }

    @Test
    void aWellFormedBodyIsRead() {
        json("{\"label\":\"tab\\tand\\nline\",\"doc\":{\"a\":[1,\"x\"]},\"flag\":true}").patch("/test/counters/notes/n1")
                .then().statusCode(200).body("label", equalTo("tab\tand\nline"));
    }

    @Test
    void duplicateMemberIs400() {
        json("{\"label\":\"a\",\"label\":\"b\"}").patch("/test/counters/notes/n1")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("Duplicate field 'label'"));
        json("{\"doc\":{\"k\":1,\"k\":2}}").patch("/test/counters/notes/n1")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void trailingGarbageIs400() {
        json("{\"label\":\"a\"} {\"label\":\"b\"}").patch("/test/counters/notes/n1")
                .then().statusCode(400).contentType("application/problem+json");
        json("{\"label\":\"x\",\"delta\":1}garbage").post("/test/counters")
                .then().statusCode(400).contentType("application/problem+json");
        json("{\"label\":\"a\"}  \n").patch("/test/counters/notes/n1").then().statusCode(200);
    }

    @Test
    void noCoercionBetweenDeclaredTypes() {
        json("{\"label\":12345}").patch("/test/counters/notes/n1")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("label"));
        json("{\"label\":true}").patch("/test/counters/notes/n1")
                .then().statusCode(400).body("errors[0].field", equalTo("label"));
        json("{\"flag\":\"true\"}").patch("/test/counters/notes/n1")
                .then().statusCode(400).body("errors[0].field", equalTo("flag"));
        json("{\"flag\":1}").patch("/test/counters/notes/n1")
                .then().statusCode(400).body("errors[0].field", equalTo("flag"));
        json("{\"label\":\"x\",\"delta\":\"5\"}").post("/test/counters")
                .then().statusCode(400).body("errors[0].field", equalTo("delta"));
        json("{\"label\":\"x\",\"delta\":1.5}").post("/test/counters")
                .then().statusCode(400).body("errors[0].field", equalTo("delta"));
    }

    @Test
    void controlCharactersAre422NamingTheField() {
        json("{\"label\":\"a\\u0000b\"}").patch("/test/counters/notes/n1")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("label")).body("errors[0].message", containsString("U+0000"));
        json("{\"doc\":{\"a\":[1,{\"b\":\"x\\u001by\"}]}}").patch("/test/counters/notes/n1")
                .then().statusCode(422).body("errors[0].field", equalTo("doc.a[1].b"));
        json("{\"doc\":{\"bad\\u0000key\":1}}").patch("/test/counters/notes/n1")
                .then().statusCode(422).body("errors[0].field", equalTo("doc"));
        json("{\"label\":\"\\ud800\"}").patch("/test/counters/notes/n1")
                .then().statusCode(422).body("errors[0].field", equalTo("label"));
        json("{\"label\":\"a\\u0085\",\"delta\":1}").post("/test/counters")
                .then().statusCode(422).body("errors[0].field", equalTo("label"));
    }

    @Test
    void theDeclaredContentTypeIsEnforced() {
        given().auth().oauth2(token).contentType("text/plain").body("{\"label\":\"a\"}").patch("/test/counters/notes/n1")
                .then().statusCode(415).contentType("application/problem+json").body("status", equalTo(415));
        given().auth().oauth2(token).contentType("text/plain").body("{\"label\":\"a\",\"delta\":1}").post("/test/counters")
                .then().statusCode(415).contentType("application/problem+json");
        given().auth().oauth2(token).contentType("application/merge-patch+json").body("{\"label\":\"a\"}")
                .patch("/test/counters/notes/n1").then().statusCode(200);
    }

    @Test
    void emptyQueryParameterIs422() {
        given().auth().oauth2(token).get("/test/counters/echo?q=").then().statusCode(422)
                .contentType("application/problem+json").body("errors[0].field", equalTo("q"));
        given().auth().oauth2(token).get("/test/counters/echo?q=x").then().statusCode(200).body("q", equalTo("x"));
    }

    @Test
    void controlCharactersInPathOrQueryAre400() {
        given().auth().oauth2(token).urlEncodingEnabled(false).get("/test/counters/echo?q=a%00b").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("q"));
        given().auth().oauth2(token).urlEncodingEnabled(false).contentType(ContentType.JSON).body("{}")
                .patch("/test/counters/notes/a%00b").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("name"));
    }
}
