package io.continuum.notification.live;

import io.continuum.notification.persistence.StreamStore;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Acks are kept until their write succeeded. Fake: the cursor writer is a function that fails while the test says
 * so (standing in for PostgreSQL being unreachable); {@code StreamSocketTest} covers the real statement.
 */
class AckBufferTest {

    @Test
    void anAckWhoseWriteFailedIsKeptAndWrittenByTheNextFlushInOneStatementWithTheOthers() {
        AtomicBoolean down = new AtomicBoolean(true);
        List<List<StreamStore.CursorWrite>> statements = new CopyOnWriteArrayList<>();
        AckBuffer acks = new AckBuffer(rows -> {
            if (down.get()) {
                return Uni.createFrom().failure(new IllegalStateException("database unreachable"));
            }
            statements.add(rows);
            return Uni.createFrom().voidItem();
        }, null);
        acks.record("acc", "phone", "e1", 7);
        assertThatThrownBy(() -> acks.flush("acc", "phone").await().indefinitely()).hasMessageContaining("unreachable");
        assertThat(acks.pending()).isEqualTo(1); // not lost with the failed write
        acks.record("acc", "tv", "e1", 3);
        acks.record("acc", "phone", "e1", 5); // older than the pending 7: ignored
        down.set(false);
        acks.flushAll().await().indefinitely();
        assertThat(statements).hasSize(1);
        assertThat(statements.get(0)).containsExactlyInAnyOrder(
                new StreamStore.CursorWrite("acc", "phone", "e1", 7), new StreamStore.CursorWrite("acc", "tv", "e1", 3));
        assertThat(acks.pending()).isZero();
    }

    @Test
    void anAckRecordedWhileItsPredecessorIsBeingWrittenIsNotRemovedWithIt() {
        List<Runnable> inFlight = new CopyOnWriteArrayList<>();
        AckBuffer[] ref = new AckBuffer[1];
        AckBuffer acks = new AckBuffer(rows -> {
            inFlight.add(() -> ref[0].record("acc", "phone", "e1", 9)); // arrives during the write
            inFlight.forEach(Runnable::run);
            return Uni.createFrom().voidItem();
        }, null);
        ref[0] = acks;
        acks.record("acc", "phone", "e1", 8);
        acks.flushAll().await().indefinitely();
        assertThat(acks.pending()).isEqualTo(1); // 9 is still to be written
    }
}
