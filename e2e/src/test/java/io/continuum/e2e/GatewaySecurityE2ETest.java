package io.continuum.e2e;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The foundation's promise: a demo user's Keycloak token reaches every service through the gateway. */
class GatewaySecurityE2ETest {

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth", "state", "notifications", "billing", "recommendations"})
    void tokenReachesEveryServiceThroughTheGateway(String area) {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(alice.accessToken())
                .get("/api/" + area + "/whoami")
                .then().statusCode(200)
                .body("accountId", equalTo(alice.subject()))
                .body("username", equalTo("alice"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth", "state", "notifications", "billing", "recommendations"})
    void noTokenOrTamperedTokenIs401(String area) {
        given().baseUri(LocalStack.GATEWAY_URL).get("/api/" + area + "/whoami").then().statusCode(401);
        String token = Tokens.accessToken("bob");
        String tampered = token.substring(0, token.length() - 6) + (token.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
        given().baseUri(LocalStack.GATEWAY_URL).auth().oauth2(tampered)
                .get("/api/" + area + "/whoami").then().statusCode(401);
    }
}
