package io.continuum.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuum.platform.sql.SqlTransactions;
import io.continuum.testing.PrivateKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link SqlTransactions#atCommit}: a write handed to it is sent with the COMMIT (not before), in the order given, and
 * its failure rolls the whole transaction back; off a transaction of ours it runs at once. Real PostgreSQL.
 */
@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class SqlTransactionsTest {

    @Inject
    SqlTransactions transactions;
    @Inject
    Pool pool;

    private static Uni<Integer> insert(SqlConnection c, String account, long value) {
        return c.preparedQuery("insert into test_counter (account_id, value) values ($1, $2)")
                .execute(Tuple.of(account, value)).map(r -> r.rowCount());
    }

    private static Uni<Long> valueOn(SqlConnection c, String account) {
        return c.preparedQuery("select value from test_counter where account_id = $1").execute(Tuple.of(account))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
    }

    private Long value(String account) {
        return pool.withConnection(c -> valueOn(c, account)).await().indefinitely();
    }

    @Test
    void aWriteGivenToAtCommitIsSentWithTheCommitNotBefore() {
        String now = "now-" + UUID.randomUUID();
        String later = "later-" + UUID.randomUUID();
        Long seenInside = OnVertx.await(() -> transactions.inTransaction(c -> insert(c, now, 1)
                .chain(() -> transactions.atCommit(c, () -> insert(c, later, 2)))
                .chain(() -> valueOn(c, later))));
        assertThat(seenInside).as("the deferred row inside the transaction, before its commit").isNull();
        assertThat(value(now)).isEqualTo(1L);
        assertThat(value(later)).as("the deferred row after the commit").isEqualTo(2L);
    }

    @Test
    void deferredWritesRunInTheOrderGiven() {
        String account = "order-" + UUID.randomUUID();
        OnVertx.await(() -> transactions.inTransaction(c -> transactions.atCommit(c, () -> insert(c, account, 1))
                .chain(() -> transactions.atCommit(c, () -> c.preparedQuery(
                        "update test_counter set value = value * 10 where account_id = $1").execute(Tuple.of(account))))));
        assertThat(value(account)).as("insert, then update (the other order leaves 1)").isEqualTo(10L);
    }

    @Test
    void aFailingDeferredWriteRollsTheWholeTransactionBack() {
        String account = "fail-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        assertThatThrownBy(() -> OnVertx.await(() -> transactions.inTransaction(c -> insert(c, account, 1)
                .chain(() -> transactions.atCommit(c, () -> insert(c, other, 5)))
                .chain(() -> transactions.atCommit(c, () -> insert(c, account, 2)))))) // duplicate key
                .hasMessageContaining("duplicate key");
        assertThat(value(account)).as("the write made before the deferred one failed").isNull();
        assertThat(value(other)).as("the deferred write before the failing one").isNull();
        // the connection went back to the pool in a usable state
        OnVertx.await(() -> transactions.inTransaction(c -> insert(c, account, 3)));
        assertThat(value(account)).isEqualTo(3L);
    }

    @Test
    void offATransactionOfOursItRunsAtOnce() {
        String account = "plain-" + UUID.randomUUID();
        Long seen = pool.withConnection(c -> transactions.atCommit(c, () -> insert(c, account, 7)).chain(() -> valueOn(c, account)))
                .await().indefinitely();
        assertThat(seen).isEqualTo(7L);
    }
}
