package io.continuum.recommendation.model;

import java.time.Clock;
import java.util.Random;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;

/**
 * Full training of the implicit-feedback matrix factorisation (weighted ALS, Hu–Koren–Volinsky 2008): alternately
 * solves every user against fixed item factors and every item against fixed user factors. Rows are independent
 * within a half-step, so they run on the common fork-join pool.
 */
public final class AlsTrainer {

    private final AlsParams params;
    private final Clock clock;

    public AlsTrainer(AlsParams params, Clock clock) {
        this.params = params;
        this.clock = clock;
    }

    public AlsParams params() {
        return params;
    }

    public Model train(Dataset data, String version) {
        long started = System.nanoTime();
        int k = params.factors();
        double[] popularity = Model.normalisedPopularity(data.positives);
        if (data.interactionCount() == 0) {
            return new Model(version, clock.instant(), params, data.items, data.itemIndex, null, popularity,
                    new Model.Stats(0, data.itemCount(), 0, elapsed(started)));
        }
        Random random = new Random(params.seed());
        DMatrixRMaj users = randomFactors(data.userCount(), k, random);
        DMatrixRMaj items = randomFactors(data.itemCount(), k, random);
        for (int it = 0; it < params.iterations(); it++) {
            halfStep(users, items, data.userStart, data.userItems, data.userStrength);
            halfStep(items, users, data.itemStart, data.itemUsers, data.itemStrength);
        }
        return new Model(version, clock.instant(), params, data.items, data.itemIndex, items, popularity,
                new Model.Stats(data.userCount(), data.itemCount(), data.interactionCount(), elapsed(started)));
    }

    /** Re-solves every row of {@code target} against the fixed {@code other} side. */
    private void halfStep(DMatrixRMaj target, DMatrixRMaj other, int[] start, int[] index, double[] strength) {
        DMatrixRMaj gram = LeastSquares.regularisedGram(other, params.lambda());
        int k = target.numCols;
        IntStream.range(0, target.numRows).parallel().forEach(row -> {
            double[] x = LeastSquares.solve(gram, other, index, strength, start[row], start[row + 1], params.alpha());
            if (x != null) {
                System.arraycopy(x, 0, target.data, row * k, k);
            }
        });
    }

    private static DMatrixRMaj randomFactors(int rows, int k, Random random) {
        DMatrixRMaj m = new DMatrixRMaj(rows, k);
        double scale = 0.1 / Math.sqrt(k);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = random.nextGaussian() * scale;
        }
        return m;
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
