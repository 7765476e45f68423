package io.continuum.billing.api;

import io.continuum.testing.LocalStackResource;
import io.continuum.testing.Tokens;
import io.continuum.testing.fuzz.Fuzz;
import io.continuum.testing.fuzz.HostileBodies;
import io.continuum.testing.fuzz.HttpFuzz;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 8: the endpoints this service has so far (whoami) under hostile paths, queries and bodies (libs/testing fuzz):
 * below 500, problem+json when 4xx, under a second. The service stores nothing yet, so there is no state to compare.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class FuzzTest {

    private final Map<String, String> headers = Map.of("Authorization", "Bearer " + Tokens.accessToken("alice"));

    @Test
    void hostilePathsQueriesAndBodies() {
        Fuzz.check("GET /api/billing/**", HttpFuzz.areaPaths("billing"), HttpFuzz.pathSender(HttpFuzz.quarkusTestUrl(), headers, "GET"), () -> "");
        Fuzz.check("POST /api/billing/whoami", HostileBodies.of("{\"a\":\"b\"}", 1L, 10),
                HttpFuzz.sender(HttpFuzz.quarkusTestUrl(), headers, "POST", "/api/billing/whoami"), () -> "");
    }
}
