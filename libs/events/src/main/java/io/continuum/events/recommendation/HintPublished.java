package io.continuum.events.recommendation;

import io.continuum.events.EventData;

import java.util.List;

/**
 * {@code continuum.recommendation.hint-published.v1}: fresh recommendations for the account.
 *
 * @param items content ids, best first
 */
public record HintPublished(String hintId, List<String> items, String reason) implements EventData {

    public HintPublished {
        items = items == null ? null : List.copyOf(items);
    }
}
