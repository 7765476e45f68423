package io.continuum.platform;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.testing.KafkaBroker;
import io.continuum.testing.PrivateKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Kafka down must not take the service out of rotation: writes go on through the outbox. Kafka's state stays
 * visible in the informational {@code kafka} health group.
 */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class KafkaHealthTest {

    @Test
    void kafkaDownKeepsTheServiceReadyAndIsReportedInItsOwnGroup() {
        given().get("/q/health/group/kafka").then().statusCode(200).body("status", equalTo("UP"));
        KafkaBroker broker = PrivateKafkaResource.broker();
        broker.stop();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    given().get("/q/health/group/kafka").then().statusCode(503).body("status", equalTo("DOWN")));
            given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        } finally {
            broker.start();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/q/health/group/kafka").then().statusCode(200).body("status", equalTo("UP")));
    }
}
