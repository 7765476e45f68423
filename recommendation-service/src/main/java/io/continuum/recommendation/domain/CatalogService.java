package io.continuum.recommendation.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.recommendation.config.RecommendationConfig;
import io.continuum.recommendation.persistence.CatalogStore;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The catalog in memory (a few thousand to tens of thousands of items: ranking reads it for every candidate). The
 * table is the truth: an admin upload writes it and replaces the snapshot at once on that replica; other replicas
 * notice the change within 30 s (a fingerprint of the table). At start an empty table is filled from the bundled
 * demo catalog ({@code continuum.recommendation.catalog.seed-resource}).
 */
@ApplicationScoped
public class CatalogService {

    private static final Logger LOG = Logger.getLogger(CatalogService.class);
    private static final Duration DB = Duration.ofSeconds(30);

    private final CatalogStore store;
    private final RecommendationConfig config;
    private final ObjectMapper json;
    private final AtomicReference<Catalog> current = new AtomicReference<>(Catalog.empty());

    public CatalogService(CatalogStore store, RecommendationConfig config, ObjectMapper json) {
        this.store = store;
        this.config = config;
        this.json = json;
    }

    public Catalog current() {
        return current.get();
    }

    /** Blocking: seeds an empty table from the bundled file, then loads the snapshot. */
    public void loadAtStart() {
        Catalog loaded = store.load().await().atMost(DB);
        String seed = config.catalog().seedResource();
        if (loaded.size() == 0 && !seed.isBlank()) {
            List<CatalogItem> items = CatalogFile.read(resource(seed), json);
            int n = store.upsert(items).await().atMost(DB);
            LOG.infof("catalog was empty: loaded %d items from %s", n, seed);
            loaded = store.load().await().atMost(DB);
        }
        current.set(loaded);
        LOG.infof("catalog: %d items", loaded.size());
    }

    /** Stores an upload (all or nothing) and swaps the snapshot. */
    public Uni<Integer> upload(List<CatalogItem> items) {
        return store.upsert(items).call(n -> store.load().invoke(current::set));
    }

    @Scheduled(every = "30s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshIfChanged() {
        return store.fingerprint().chain(fp -> fp == current.get().fingerprint()
                ? Uni.createFrom().voidItem()
                : store.load().invoke(c -> {
                    current.set(c);
                    LOG.infof("catalog changed elsewhere: reloaded %d items", c.size());
                }).replaceWithVoid());
    }

    private static InputStream resource(String name) {
        InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new UncheckedIOException(new IOException("catalog resource not found: " + name));
        }
        return in;
    }
}
