package io.continuum.recommendation.domain;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** At start: the catalog first (seeded when empty), then a first training, before the first request. */
@ApplicationScoped
public class Startup {

    void onStart(@Observes StartupEvent ignored, CatalogService catalog, ModelRegistry models) {
        catalog.loadAtStart();
        models.retrain();
    }
}
