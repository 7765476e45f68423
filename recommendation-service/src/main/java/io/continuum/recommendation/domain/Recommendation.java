package io.continuum.recommendation.domain;

/** One recommended item as the API returns it. */
public record Recommendation(String itemId, String title, String kind, int durationMinutes, double score, String reason) {
}
