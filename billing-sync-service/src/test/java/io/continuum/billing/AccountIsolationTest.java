package io.continuum.billing;

import io.continuum.testing.ThrowAwayUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Another account can never read or change these entitlements and subscriptions. */
@QuarkusTest
@QuarkusTestResource(value = Simulator.class, restrictToAnnotatedClass = false)
class AccountIsolationTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("owner", "other");

    @BeforeEach
    void webhooksHere() {
        Billing.useTestPort();
    }

    @Test
    void anotherAccountSeesNothingAndCannotCancel() {
        Billing owner = new Billing(USERS.get("owner").accessToken());
        Billing other = new Billing(USERS.get("other").accessToken());
        owner.buy("premium-uhd-monthly");
        owner.awaitEntitlement("uhd", "active");
        String sub = owner.subscriptions().get(0).path("id").asText();

        assertThat(other.entitlements()).isEmpty();
        assertThat(other.subscriptions()).isEmpty();
        other.cancel(sub).then().statusCode(404).contentType("application/problem+json");
        other.cancel("not-a-uuid").then().statusCode(404);
        assertThat(owner.subscriptions().get(0).path("status").asText()).isEqualTo("active");
        assertThat(owner.entitlement("uhd").path("state").asText()).isEqualTo("active");

        given().get("/api/billing/entitlements").then().statusCode(401);
        given().get("/api/billing/subscriptions").then().statusCode(401);
        given().post("/api/billing/subscriptions/" + sub + "/cancel").then().statusCode(401);
    }
}
