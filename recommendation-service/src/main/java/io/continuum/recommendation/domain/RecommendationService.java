package io.continuum.recommendation.domain;

import io.continuum.recommendation.model.Model;
import io.continuum.recommendation.model.Ranker;
import io.continuum.recommendation.model.Signal;
import io.continuum.recommendation.persistence.DeviceStore;
import io.continuum.recommendation.persistence.InteractionStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One request: the caller's own feedback from the table (so any replica answers with the latest events, whichever
 * replica consumed them), fold-in against the served model, top candidates by model + prior, context re-rank.
 */
@ApplicationScoped
public class RecommendationService {

    /** Candidates fetched per requested item before context re-ranking. */
    static final int CANDIDATES_PER_ITEM = 10;
    static final int MIN_CANDIDATES = 100;

    private final InteractionStore interactions;
    private final DeviceStore devices;
    private final ModelRegistry models;
    private final CatalogService catalog;
    private final Timer timer;

    public RecommendationService(InteractionStore interactions, DeviceStore devices, ModelRegistry models,
            CatalogService catalog, MeterRegistry meters) {
        this.interactions = interactions;
        this.devices = devices;
        this.models = models;
        this.catalog = catalog;
        this.timer = Timer.builder("recommendation.requests").description("ranking time of GET /api/recommendations")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    /** The answer: which model served it and the items. */
    public record Answer(String model, List<Recommendation> items) {
    }

    /** The kind of the caller's device when it was registered with auth-service. */
    public Uni<Optional<DeviceContext>> registeredDevice(String account, String deviceId) {
        return devices.kind(account, deviceId).map(k -> k.flatMap(DeviceContext::parse));
    }

    public Uni<Answer> recommend(String account, Context ctx, int limit) {
        return interactions.forAccount(account).map(feedback -> timer.record(() -> rank(feedback, ctx, limit)));
    }

    Answer rank(List<Feedback> feedback, Context ctx, int limit) {
        Model model = models.current();
        Catalog items = catalog.current();
        List<Signal> signals = new ArrayList<>(feedback.size());
        Set<Integer> finished = new HashSet<>();
        List<ContextRanker.HistoryItem> history = new ArrayList<>();
        for (Feedback f : feedback) {
            signals.add(new Signal("me", f.itemId(), f.strength()));
            Optional<Integer> index = model.indexOf(f.itemId());
            if (index.isEmpty()) {
                continue;
            }
            if (f.completed()) {
                finished.add(index.get());
            }
            if (f.strength() > 0) {
                items.get(f.itemId()).ifPresent(i -> history.add(new ContextRanker.HistoryItem(index.get(), i.title())));
            }
        }
        double[] vector = model.foldIn(signals).orElse(null);
        int n = Math.max(MIN_CANDIDATES, limit * CANDIDATES_PER_ITEM);
        int positives = Ranker.positives(signals);
        List<Ranker.Candidate> candidates = new ArrayList<>(Ranker.top(model, vector, positives,
                i -> !finished.contains(i), n));
        if (ctx.minutes() != null || ctx.device() != null) {
            // the best items that suit the moment, in case the overall best are all long-form (or all short)
            Set<Integer> have = new HashSet<>();
            candidates.forEach(c -> have.add(c.item()));
            Ranker.top(model, vector, positives, i -> !finished.contains(i) && !have.contains(i)
                            && items.get(model.item(i)).map(item -> ContextRanker.suits(item, ctx)).orElse(false), n / 2)
                    .forEach(candidates::add);
        }
        return new Answer(model.version(), ContextRanker.rank(model, items, candidates, history, ctx, limit));
    }
}
