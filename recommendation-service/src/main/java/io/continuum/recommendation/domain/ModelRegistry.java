package io.continuum.recommendation.domain;

import io.continuum.recommendation.config.RecommendationConfig;
import io.continuum.recommendation.model.AlsParams;
import io.continuum.recommendation.model.AlsTrainer;
import io.continuum.recommendation.model.Dataset;
import io.continuum.recommendation.model.Model;
import io.continuum.recommendation.model.Signal;
import io.continuum.recommendation.persistence.InteractionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The model being served. A full training reads every interaction, trains off the request path, records a row in
 * {@code model_version} (its id is the version, {@code als-<id>}) and swaps the new model in with one atomic
 * reference write: a request uses one model from start to end, never a half-built one. Between trainings a user's
 * new events count at once through fold-in (see {@link Model}).
 */
@ApplicationScoped
public class ModelRegistry {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);
    private static final Duration DB = Duration.ofSeconds(60);

    private final InteractionStore interactions;
    private final CatalogService catalog;
    private final Pool pool;
    private final AlsTrainer trainer;
    private final AtomicReference<Model> current = new AtomicReference<>(Model.empty("none"));
    private final ReentrantLock training = new ReentrantLock();
    private final Timer trainingTimer;

    public ModelRegistry(InteractionStore interactions, CatalogService catalog, Pool pool, RecommendationConfig config,
            MeterRegistry meters) {
        this.interactions = interactions;
        this.catalog = catalog;
        this.pool = pool;
        RecommendationConfig.Model m = config.model();
        this.trainer = new AlsTrainer(new AlsParams(m.factors(), m.iterations(), m.lambda(), m.alpha(), m.priorWeight(), 42L),
                Clock.systemUTC());
        this.trainingTimer = Timer.builder("recommendation.model.training").description("full ALS trainings")
                .register(meters);
        Gauge.builder("recommendation.model.bytes", current, r -> r.get().approximateBytes()).baseUnit("bytes")
                .description("approximate heap held by the served model").register(meters);
        Gauge.builder("recommendation.model.items", current, r -> r.get().itemCount()).register(meters);
    }

    public Model current() {
        return current.get();
    }

    /** Blocking full training and swap; concurrent calls wait for the running one and then train again. */
    public Model retrain() {
        training.lock();
        try {
            long started = System.nanoTime();
            List<Signal> signals = interactions.allSignals().await().atMost(DB);
            List<String> items = catalog.current().items().stream().map(CatalogItem::itemId).toList();
            long id = pool.query("select nextval('model_version_id_seq')").execute().await().atMost(DB)
                    .iterator().next().getLong(0);
            Dataset data = Dataset.of(signals, items);
            Model model = trainer.train(data, (data.interactionCount() == 0 ? "popularity-" : "als-") + id);
            Model.Stats s = model.stats();
            pool.preparedQuery("insert into model_version (id, trained_at, users, items, interactions, training_ms)"
                            + " values ($1, $2, $3, $4, $5, $6)")
                    .execute(Tuple.of(id, OffsetDateTime.ofInstant(model.trainedAt(), ZoneOffset.UTC), s.users(), s.items(),
                            s.interactions(), s.trainingMillis()))
                    .await().atMost(DB);
            current.set(model);
            trainingTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            LOG.infof("model %s swapped in: %d users, %d items, %d interactions, trained in %d ms", model.version(),
                    s.users(), s.items(), s.interactions(), s.trainingMillis());
            return model;
        } finally {
            training.unlock();
        }
    }

    @Scheduled(every = "${continuum.recommendation.model.retrain-every:15m}",
            delayed = "${continuum.recommendation.model.retrain-every:15m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRetrain() {
        try {
            retrain();
        } catch (RuntimeException e) {
            LOG.errorf(e, "scheduled retrain failed; still serving %s", current().version());
        }
    }
}
