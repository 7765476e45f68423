package io.continuum.recommendation.domain;

/**
 * One account's aggregated feedback on one item (a row of {@code interaction}) and the signal the model gets from
 * it. Finished items (≥ 90 % watched) weigh 1 plus ½ per replay; partial viewing weighs the fraction watched;
 * abandoning in the first 10 % is a mild dislike (−0.5); each purchase adds 1 (at most 3); an explicit rating adds
 * {@code (stars − 3) / 2} (5 stars +1, 1 star −1).
 */
public record Feedback(String itemId, double maxRatio, int replays, boolean completed, boolean abandoned,
        int purchases, Integer rating) {

    public static final double COMPLETED_RATIO = 0.9;
    public static final double ABANDONED_RATIO = 0.1;

    public double strength() {
        double s;
        if (completed) {
            s = 1 + 0.5 * Math.min(replays, 4);
        } else if (abandoned) {
            s = -0.5;
        } else {
            s = Math.max(0, Math.min(maxRatio, 1));
        }
        s += Math.min(purchases, 3);
        if (rating != null) {
            s += (rating - 3) / 2.0;
        }
        return s;
    }
}
