package io.continuum.session.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** What devices read: the snapshot, the changes feed, and the per-kind views. */
public final class StateView {

    private StateView() {
    }

    /** The whole state of the account at {@code revision} (one consistent read). */
    public record Snapshot(
            long revision,
            Map<String, Playback> playback,
            Map<String, Long> wallet,
            Map<String, Long> inventory,
            Map<String, Achievement> achievements,
            JsonNode worldPosition,
            Document profile,
            Document preferences,
            Map<String, Long> readMarkers) {
    }

    /** A resume point; {@code revision} and {@code deviceId} are those of the last accepted action. */
    public record Playback(String contentId, long positionMs, long durationMs, String state, boolean finished,
                           String deviceId, long revision, String updatedAt) {
    }

    public record Achievement(String achievementId, String unlockedAt) {
    }

    /** A versioned document; version 0 and a null value: never written. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Document(long version, JsonNode value) {
    }

    /** One applied change: {@code value} is the new value of ({@code kind}, {@code key}). */
    public record Change(long revision, String kind, String key, String opId, String deviceId, String at, JsonNode value) {
    }

    /**
     * A page of the changes feed after {@code since}. {@code revision} is the account's revision when read;
     * {@code next} is the cursor for the next call; {@code hasMore} says whether to call again right away.
     */
    public record ChangesPage(long since, long revision, List<Change> changes, boolean hasMore, long next) {
    }

    public record ContinueWatching(long revision, List<Playback> items) {
    }

    public record LedgerEntry(long revision, String opId, String deviceId, String entry, String key, long delta,
                              long after, String reason, String at) {
    }
}
