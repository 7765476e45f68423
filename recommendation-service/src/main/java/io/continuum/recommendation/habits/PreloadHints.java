package io.continuum.recommendation.habits;

import io.continuum.events.EventTypes;
import io.continuum.events.recommendation.PreloadHint;
import io.continuum.platform.outbox.Outbox;
import io.continuum.recommendation.config.RecommendationConfig;
import io.continuum.recommendation.domain.Context;
import io.continuum.recommendation.domain.Maturity;
import io.continuum.recommendation.domain.Recommendation;
import io.continuum.recommendation.domain.RecommendationService;
import io.continuum.recommendation.persistence.HabitStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Publishes {@code continuum.recommendation.preload-hint.v1} ahead of a predicted device switch. Every minute it looks
 * at the accounts that have switched devices around this time of day, asks {@link HabitModel} what is due within the
 * lead time, and for a switch away from the device the account is on now publishes one hint through the outbox. The
 * {@code preload_hint} row and the outbox row commit together, and the row's key (account, target, expected time)
 * means a hint is sent once however many ticks or replicas see it.
 */
@ApplicationScoped
public class PreloadHints {

    private static final Logger LOG = Logger.getLogger(PreloadHints.class);
    static final int ITEMS = 5;

    private final HabitStore store;
    private final RecommendationService recommendations;
    private final Outbox outbox;
    private final RecommendationConfig.Habits config;
    private final HabitModel.Params params;
    private final ZoneId zone;
    private final Counter sent;
    private final Clock clock = Clock.systemUTC();

    public PreloadHints(HabitStore store, RecommendationService recommendations, Outbox outbox,
            RecommendationConfig config, MeterRegistry meters) {
        this.store = store;
        this.recommendations = recommendations;
        this.outbox = outbox;
        this.config = config.habits();
        this.zone = ZoneId.of(this.config.zone());
        this.params = new HabitModel.Params(this.config.minSupport(), this.config.minConfidence(), zone);
        this.sent = Counter.builder("recommendation.preload_hints.sent").register(meters);
    }

    @Scheduled(every = "1m", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        if (!config.enabled() || !config.publish()) {
            return Uni.createFrom().voidItem();
        }
        return runAt(clock.instant()).onFailure().invoke(e -> LOG.warnf("pre-load hints: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One pass for {@code now}: the number of hints published. */
    public Uni<Integer> runAt(Instant now) {
        Instant end = now.plus(config.lead());
        ZonedDateTime a = now.atZone(zone);
        ZonedDateTime b = end.atZone(zone);
        int from = Math.max(0, a.getHour() * 60 + a.getMinute() - HabitModel.TOLERANCE_MINUTES);
        int to = Math.min(24 * 60 - 1, b.getHour() * 60 + b.getMinute() + HabitModel.TOLERANCE_MINUTES);
        if (to < from) {
            to = 24 * 60 - 1; // the window crosses midnight: the part after it is seen on the next ticks
        }
        Instant since = now.minus(config.window());
        return store.candidates(since, zone, from, to)
                .onItem().transformToMulti(accounts -> Multi.createFrom().iterable(accounts))
                .onItem().transformToUniAndConcatenate(account -> forAccount(account, now, end, since))
                .collect().asList()
                .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

    private Uni<Integer> forAccount(String account, Instant now, Instant end, Instant since) {
        return store.current(account).chain(current -> {
            if (current.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return store.switches(account, since).chain(switches -> store.activeDays(account,
                            since.atZone(zone).toLocalDate())
                    .map(days -> HabitModel.predict(switches, days, params, now, end)))
                    .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                    .filter(p -> p.from().equals(current.get().deviceId()))
                    .onItem().<Boolean>transformToUniAndConcatenate(p -> publish(account, current.get(), p))
                    .collect().asList()
                    .map(list -> (int) list.stream().filter(Boolean::booleanValue).count());
        });
    }

    private Uni<Boolean> publish(String account, HabitStore.Activity current, HabitModel.Prediction p) {
        int hour = p.expectedAt().atZone(zone).getHour();
        return recommendations.registeredDevice(account, p.to())
                .chain(kind -> recommendations.recommend(account,
                        new Context(kind.orElse(null), null, hour, Maturity.AGE_18), ITEMS))
                .<Boolean>chain(answer -> {
                    String hintId = UUID.randomUUID().toString();
                    List<String> items = answer.items().stream().map(Recommendation::itemId).toList();
                    PreloadHint hint = new PreloadHint(hintId, p.to(), p.from(), p.expectedAt(),
                            Math.round(p.confidence() * 1000) / 1000.0, current.contentId(), current.positionMs(), items);
                    return Panache.withTransaction(() -> store.claimHint(account, p.to(), p.expectedAt(), hintId)
                            .call(first -> first
                                    ? (Uni<?>) outbox.append(EventTypes.RECOMMENDATION_PRELOAD_HINT, account, null, null, hint)
                                    : Uni.createFrom().voidItem()));
                })
                .invoke(first -> {
                    if (first) {
                        sent.increment();
                        LOG.infof("pre-load hint for %s: %s -> %s expected %s (confidence %.2f)", account, p.from(),
                                p.to(), p.expectedAt(), p.confidence());
                    }
                });
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        Instant before = clock.instant().minus(config.window());
        return store.prune(before, before.atZone(zone).toLocalDate());
    }
}
