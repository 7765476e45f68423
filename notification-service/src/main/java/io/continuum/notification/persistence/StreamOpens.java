package io.continuum.notification.persistence;

import io.continuum.notification.config.NotificationConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.jboss.logging.Logger;

/**
 * The connect reads of this replica, coalesced: a read asked for while {@code connection.open-batches-in-flight}
 * batches are already at PostgreSQL waits for one of them to finish and then leaves with every other read that waited
 * meanwhile, in one statement ({@link StreamStore#openAll}, at most {@code connection.open-batch} reads). A lone
 * connect leaves at once (no added delay); in a reconnect storm thousands of connects cost a few dozen statements
 * instead of holding the pool's connections one read each, which is where the devices of a storm used to wait
 * (docs/benchmarks.md, issue 15).
 *
 * <p>Each read is answered on the Vert.x context it was asked from, so a connection's code keeps running on its own
 * event loop.
 */
@ApplicationScoped
public class StreamOpens {

    private static final Logger LOG = Logger.getLogger(StreamOpens.class);

    private record Pending(StreamStore.OpenRequest request, Context context, UniEmitter<? super StreamStore.Opened> answer) {
    }

    private final StreamStore store;
    private final int maxBatch;
    private final int maxInFlight;
    private final DistributionSummary batchSizes;
    /** Guarded by {@code this}, as is {@link #inFlight}. */
    private final Queue<Pending> waiting = new ArrayDeque<>();
    private int inFlight;

    public StreamOpens(StreamStore store, NotificationConfig config, MeterRegistry registry) {
        this.store = store;
        this.maxBatch = config.connection().openBatch();
        this.maxInFlight = config.connection().openBatchesInFlight();
        this.batchSizes = DistributionSummary.builder("continuum.notification.open.batch")
                .description("Connect reads (stream head and device cursor) sent to PostgreSQL in one statement")
                .register(registry);
    }

    /** What {@link StreamStore#open} reads, batched with the other connects of the moment. */
    public Uni<StreamStore.Opened> open(String accountId, String deviceId) {
        return Uni.createFrom().emitter(answer -> {
            synchronized (this) {
                waiting.add(new Pending(new StreamStore.OpenRequest(accountId, deviceId), Vertx.currentContext(), answer));
            }
            sendNext();
        });
    }

    private void sendNext() {
        List<Pending> batch;
        synchronized (this) {
            if (inFlight >= maxInFlight || waiting.isEmpty()) {
                return;
            }
            inFlight++;
            batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
            while (batch.size() < maxBatch && !waiting.isEmpty()) {
                batch.add(waiting.poll());
            }
        }
        batchSizes.record(batch.size());
        store.openAll(batch.stream().map(Pending::request).toList()).subscribe().with(opened -> {
            finished();
            for (int i = 0; i < batch.size(); i++) {
                StreamStore.Opened o = opened.get(i);
                answer(batch.get(i), p -> p.answer().complete(o));
            }
        }, failure -> {
            finished();
            LOG.debugf("a batch of %d connect reads failed: %s", batch.size(), failure.getMessage());
            batch.forEach(p -> answer(p, q -> q.answer().fail(failure)));
        });
    }

    /** One batch is back: the next may leave (with everything that waited meanwhile). */
    private void finished() {
        synchronized (this) {
            inFlight--;
        }
        sendNext();
    }

    private static void answer(Pending p, java.util.function.Consumer<Pending> how) {
        if (p.context() == null) {
            how.accept(p);
        } else {
            p.context().runOnContext(v -> how.accept(p));
        }
    }
}
