package io.continuum.recommendation.model;

/**
 * Hyper-parameters of the weighted ALS model and of the popularity prior.
 *
 * @param factors     latent dimensions k
 * @param iterations  alternating sweeps of a full training
 * @param lambda      L2 regularisation
 * @param alpha       confidence slope: an observed signal of strength s weighs {@code 1 + alpha * |s|}
 * @param priorWeight how many interactions the popularity prior is worth: a user with n positive interactions gets
 *                    {@code n / (n + priorWeight)} of the model score and the rest from popularity (0 = no prior)
 * @param seed        initialisation of the factors (a training is deterministic for a seed)
 */
public record AlsParams(int factors, int iterations, double lambda, double alpha, double priorWeight, long seed) {

    public static final AlsParams DEFAULTS = new AlsParams(32, 12, 0.1, 10.0, 1.0, 42L);

    public AlsParams {
        if (factors < 1 || factors > 512) {
            throw new IllegalArgumentException("factors must be within 1..512");
        }
        if (iterations < 1 || iterations > 200) {
            throw new IllegalArgumentException("iterations must be within 1..200");
        }
        if (!(lambda > 0) || !(alpha >= 0) || !(priorWeight >= 0)) {
            throw new IllegalArgumentException("lambda must be > 0, alpha and priorWeight >= 0");
        }
    }
}
