package io.continuum.recommendation.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of recommendation-service (docs/recommendations.md). */
@ConfigMapping(prefix = "continuum.recommendation")
public interface RecommendationConfig {

    /** The realm role allowed on {@code /api/recommendations/admin/**} (read by {@code AdminResource}'s annotation). */
    @WithDefault("admin")
    String adminRole();

    Consumer consumer();

    Model model();

    Catalog catalog();

    Habits habits();

    /** The Kafka consumer of state.events, auth.events and notification.events. */
    interface Consumer {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("recommendation-service")
        String group();

        /** Where a new consumer group starts: earliest (learn from the whole retained history) or latest. */
        @WithDefault("earliest")
        String offsetReset();
    }

    /** The weighted ALS model. */
    interface Model {
        @WithDefault("32")
        int factors();

        @WithDefault("12")
        int iterations();

        @WithDefault("0.1")
        double lambda();

        @WithDefault("10")
        double alpha();

        @WithDefault("1")
        double priorWeight();

        /** Full retrain schedule (read by {@code ModelRegistry}'s {@code @Scheduled}). */
        @WithDefault("15m")
        String retrainEvery();
    }

    /** The catalog. */
    interface Catalog {
        /** Classpath resource loaded at start when the catalog table is empty ("" = none). */
        @WithDefault("catalog/demo-catalog.json")
        String seedResource();

        /** Most items in one admin upload. */
        @WithDefault("20000")
        int maxUpload();
    }

    /** Device-switch habits and pre-load hints. */
    interface Habits {
        /** Record device activity and switches from events. */
        @WithDefault("true")
        boolean enabled();

        /** Run the once-a-minute hint pass (tests call it themselves). */
        @WithDefault("true")
        boolean publish();

        /** How far ahead of a predicted switch the hint is published. */
        @WithDefault("10m")
        Duration lead();

        /** Two activities further apart than this are not a switch. */
        @WithDefault("3h")
        Duration maxGap();

        /** Switches (same from, to, day type, half-hour slot ± 1) needed before one is predicted. */
        @WithDefault("3")
        int minSupport();

        /** Share of the account's active days of that day type on which the switch happened. */
        @WithDefault("0.5")
        double minConfidence();

        /** How far back switches count. */
        @WithDefault("P56D")
        Duration window();

        /** Zone of the habits' clock (weekday, time of day). */
        @WithDefault("UTC")
        String zone();
    }
}
