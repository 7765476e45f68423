package io.continuum.recommendation.model;

/**
 * One (user, item) implicit-feedback signal, already aggregated over that pair's events. A positive strength is a
 * preference ({@code p = 1}); a negative one is a dislike ({@code p = 0}, e.g. abandoned after a few minutes); both
 * weigh {@code 1 + alpha * |strength|} in the weighted least squares (Hu, Koren, Volinsky 2008). Zero carries nothing.
 */
public record Signal(String user, String item, double strength) {

    public Signal {
        if (user == null || item == null) {
            throw new IllegalArgumentException("user and item are required");
        }
        if (!Double.isFinite(strength)) {
            throw new IllegalArgumentException("strength must be finite");
        }
    }
}
