package io.continuum.platform.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The meters operators read for the outbox and the consumers: backlog and oldest-row age per lane (a lane the relay
 * cannot drain shows both growing, and both go back to 0 once it drains), relay publish latency, and the Kafka
 * client meters of the hand-run consumers (lag). Real PostgreSQL, a real private Kafka broker.
 */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class OutboxMetricsTest {

    @Inject
    OutboxBacklog backlog;
    @Inject
    OutboxConfig config;
    @Inject
    Pool pool;

    @Test
    void aStuckLaneShowsItsBacklogAndAgeUntilTheRelayDrainsIt() {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        int lane = Outbox.lane(alice.subject(), config.lanes());
        SqlConnection holder = pool.getConnection().await().indefinitely();
        Transaction tx = holder.begin().await().indefinitely();
        try {
            // what another relay replica does while it drains the lane: this replica's relay skips it
            holder.preparedQuery("select pg_advisory_xact_lock($1, $2)")
                    .execute(Tuple.of(OutboxRelay.LOCK_NAMESPACE, lane)).await().indefinitely();
            given().auth().oauth2(alice.accessToken()).contentType("application/json")
                    .body("{\"label\":\"stuck\",\"delta\":1}").post("/test/counters").then().statusCode(201);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                backlog.refresh().await().indefinitely();
                assertThat(backlog.rows(lane)).isPositive();
                assertThat(backlog.oldestAgeSeconds(lane)).isGreaterThanOrEqualTo(0.3);
            });
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).containsPattern("(?m)^continuum_outbox_backlog\\{lane=\"" + lane + "\"} [1-9]")
                    .containsPattern("(?m)^continuum_outbox_oldest_age_seconds\\{lane=\"" + lane + "\"} [0-9.]+$");
        } finally {
            tx.rollback().await().indefinitely();
            holder.close().await().indefinitely();
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            backlog.refresh().await().indefinitely();
            assertThat(backlog.rows(lane)).isZero();
            assertThat(backlog.oldestAgeSeconds(lane)).isZero();
        });
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("(?m)^continuum_outbox_publish_latency_seconds_count [1-9]")
                // the Kafka client meters of the platform's hand-run consumers (revocation, entitlements)
                .containsPattern("(?m)^kafka_consumer_fetch_manager_records_lag_max\\{[^}]*client_id=\"[^\"]+\"");
    }
}
