package io.continuum.session;

import static io.continuum.session.Ops.grant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Operators see ops applied and rejected by reason: {@code continuum_state_ops_total{status,reason}}. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class OpMetricsTest {

    @Test
    void everyAnsweredOpIsCountedByStatusAndReason() {
        double applied = count("applied", "none");
        double unknown = count("rejected", "unknown-kind");
        double duplicate = count("duplicate", "none");
        Device d = Device.of("alice", "phone-" + UUID.randomUUID().toString().substring(0, 8));
        String r = UUID.randomUUID().toString().substring(0, 8);

        d.push(List.of(grant("g1-" + r, "apple-" + r, 1), Ops.op("u1-" + r, "teleport.now", "where", "moon"),
                grant("g2-" + r, "apple-" + r, 2)));
        d.push(List.of(grant("g1-" + r, "apple-" + r, 1))); // the offline queue replays it

        assertThat(count("applied", "none") - applied).isEqualTo(2.0);
        assertThat(count("rejected", "unknown-kind") - unknown).isEqualTo(1.0);
        assertThat(count("duplicate", "none") - duplicate).isEqualTo(1.0);
    }

    private static double count(String status, String reason) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^continuum_state_ops_total\\{(?=[^}]*reason=\"" + Pattern.quote(reason)
                + "\")(?=[^}]*status=\"" + Pattern.quote(status) + "\")[^}]*} (\\S+)").matcher(text); // an exemplar may follow the value
        return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
    }
}
