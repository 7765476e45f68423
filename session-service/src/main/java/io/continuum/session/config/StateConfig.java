package io.continuum.session.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Limits and retention of the sync protocol (see docs/sync-protocol.md). */
@ConfigMapping(prefix = "continuum.state")
public interface StateConfig {

    /** Most ops in one {@code POST /api/state/ops} batch; more answers 413. */
    @WithDefault("500")
    int maxOpsPerBatch();

    /** Largest page of {@code GET /api/state/changes}; the default page size when {@code limit} is absent. */
    @WithDefault("1000")
    int maxChangesPerPage();

    /** How long applied changes (the changes feed) and op answers (replay de-duplication) are kept. */
    @WithDefault("P30D")
    Duration historyRetention();

    /** How often old op log rows are pruned (read by {@code HistoryPruner}'s schedule). */
    @WithDefault("1h")
    String pruneEvery();

    /** Op log rows deleted per pruning transaction (the pruner repeats batches until the old rows are gone). */
    @WithDefault("1000")
    int pruneBatchSize();

    /** A playback item counts as finished (and leaves "continue watching") at this fraction of its duration. */
    @WithDefault("0.95")
    double finishedRatio();

    /** Largest profile or preferences document, in bytes of JSON. */
    @WithDefault("16384")
    int maxDocumentBytes();

    /** Default and largest length of the "continue watching" list. */
    @WithDefault("20")
    int continueWatchingLimit();
}
