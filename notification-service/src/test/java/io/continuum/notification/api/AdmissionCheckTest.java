package io.continuum.notification.api;

import io.continuum.notification.support.RawWs;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.ThrowAwayUsers;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/**
 * A replica over its socket or memory budget refuses upgrades with 503 + Retry-After and counts them by reason; a
 * refused upgrade opens no socket. Real server and token.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class AdmissionCheckTest {

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("ann");
    static final TestUsers.User ANN = USERS.get("ann");

    @TestHTTPResource("/")
    URL root;
    @Inject
    AdmissionCheck admission;

    @Test
    void overTheSocketBudgetAnUpgradeGets503WithRetryAfterAndIsCounted() throws Exception {
        String token = ANN.signIn().accessToken();
        admission.maxSockets(0); // the budget is used up (lowered at run time instead of opening 60,000 sockets)
        try (RawWs refused = RawWs.open(root, token, "storm-1", null)) {
            assertThat(refused.status).startsWith("HTTP/1.1 503");
            assertThat(refused.head.toLowerCase()).contains("retry-after: 5");
        } finally {
            admission.maxSockets(60_000);
        }
        try (RawWs admitted = RawWs.open(root, token, "storm-2", null)) {
            assertThat(admitted.status).startsWith("HTTP/1.1 101");
        }
        given().get(root + "q/metrics").then().statusCode(200)
                .body(containsString("continuum_notification_upgrades_refused_total{reason=\"sockets\"}"))
                .body(containsString("continuum_notification_sockets"));
    }

    @Test
    void overTheMemoryBudgetAnUpgradeGets503WithRetryAfterAndIsCountedAsMemory() throws Exception {
        String token = ANN.signIn().accessToken();
        double before = refused("memory");
        System.gc(); // a collection has happened, so the heap in use after it is known (and above the tiny budget)
        admission.maxHeapRatio(0.000_001);
        try (RawWs refused = RawWs.open(root, token, "storm-3", null)) {
            assertThat(refused.status).startsWith("HTTP/1.1 503");
            assertThat(refused.head.toLowerCase()).contains("retry-after: 5");
        } finally {
            admission.maxHeapRatio(0.9);
        }
        assertThat(refused("memory")).isEqualTo(before + 1);
        try (RawWs admitted = RawWs.open(root, token, "storm-4", null)) {
            assertThat(admitted.status).startsWith("HTTP/1.1 101");
        }
    }

    private double refused(String reason) {
        String prefix = "continuum_notification_upgrades_refused_total{reason=\"" + reason + "\"} ";
        return given().get(root + "q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()).trim()))
                .findFirst().orElse(0);
    }
}
