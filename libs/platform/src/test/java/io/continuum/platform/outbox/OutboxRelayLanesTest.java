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
 * A relay wake-up visits only the lanes that hold rows (one query), not every lane in turn: an event in the last lane
 * no longer waits for a transaction on each empty lane before it. Real PostgreSQL, a real private Kafka broker.
 */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class OutboxRelayLanesTest {

    @Inject
    OutboxRelay relay;
    @Inject
    OutboxConfig config;
    @Inject
    Pool pool;

    @Test
    void theRelayVisitsExactlyTheLanesHoldingRows() {
        Tokens.TokenSet alice = Tokens.signIn("alice", "alice");
        int lane = Outbox.lane(alice.subject(), config.lanes());
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.lanesWithRows().isEmpty());
        SqlConnection holder = pool.getConnection().await().indefinitely();
        Transaction tx = holder.begin().await().indefinitely();
        try {
            // another replica drains alice's lane: her row stays while every other lane is empty
            holder.preparedQuery("select pg_advisory_xact_lock($1, $2)")
                    .execute(Tuple.of(OutboxRelay.LOCK_NAMESPACE, lane)).await().indefinitely();
            given().auth().oauth2(alice.accessToken()).contentType("application/json")
                    .body("{\"label\":\"lanes\",\"delta\":1}").post("/test/counters").then().statusCode(201);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(relay.lanesWithRows()).containsExactly(lane));
        } finally {
            tx.rollback().await().indefinitely();
            holder.close().await().indefinitely();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.lanesWithRows().isEmpty());
    }
}
