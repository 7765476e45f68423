package io.continuum.recommendation.model;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * One trained, immutable model: item factors from the last full training, the regularised Gram matrix that fold-in
 * needs, and the popularity prior. Never changed after construction, so request threads read it without locks and a
 * retrain swaps a whole new instance in ({@code AtomicReference}).
 *
 * <p>Users are not stored: a user's vector is folded in from that user's current signals at request time (one
 * k×k solve), which is exactly the user half-step of ALS against the fixed item factors. That is why a new event
 * moves a user's list at once, without a retrain, and why a signal that arrived after the training counts in full.
 */
public final class Model {

    private final String version;
    private final Instant trainedAt;
    private final AlsParams params;
    private final String[] items;
    private final Map<String, Integer> itemIndex;
    /** items × k; null for a popularity-only model (no interactions yet). */
    private final DMatrixRMaj itemFactors;
    private final DMatrixRMaj gram;
    private final double[] popularity;
    private final Stats stats;

    /** What a training saw and cost. */
    public record Stats(int users, int items, int interactions, long trainingMillis) {
    }

    Model(String version, Instant trainedAt, AlsParams params, String[] items, Map<String, Integer> itemIndex,
            DMatrixRMaj itemFactors, double[] popularity, Stats stats) {
        this.version = version;
        this.trainedAt = trainedAt;
        this.params = params;
        this.items = items;
        this.itemIndex = itemIndex;
        this.itemFactors = itemFactors;
        this.gram = itemFactors == null ? null : LeastSquares.regularisedGram(itemFactors, params.lambda());
        this.popularity = popularity;
        this.stats = stats;
    }

    /** A model with no items at all (before the catalog is loaded). */
    public static Model empty(String version) {
        return new Model(version, Instant.EPOCH, AlsParams.DEFAULTS, new String[0], Map.of(), null, new double[0],
                new Stats(0, 0, 0, 0));
    }

    public String version() {
        return version;
    }

    public Instant trainedAt() {
        return trainedAt;
    }

    public AlsParams params() {
        return params;
    }

    public Stats stats() {
        return stats;
    }

    public int itemCount() {
        return items.length;
    }

    public String item(int index) {
        return items[index];
    }

    public Optional<Integer> indexOf(String item) {
        return Optional.ofNullable(itemIndex.get(item));
    }

    public boolean collaborative() {
        return itemFactors != null;
    }

    /** Popularity prior of one item, in [0, 1] (1 = the most popular item). */
    public double popularity(int index) {
        return popularity[index];
    }

    /** Approximate heap taken by the factors, the Gram matrix and the prior (for the memory gauge). */
    public long approximateBytes() {
        long factors = itemFactors == null ? 0 : (long) itemFactors.data.length * 8;
        long g = gram == null ? 0 : (long) gram.data.length * 8;
        return factors + g + (long) popularity.length * 8 + (long) items.length * 64;
    }

    /**
     * The user's vector against this model's item factors (ALS user step); empty when the model is popularity-only
     * or none of the user's items are known to it.
     */
    public Optional<double[]> foldIn(List<Signal> userSignals) {
        if (itemFactors == null) {
            return Optional.empty();
        }
        int[] index = new int[userSignals.size()];
        double[] strength = new double[userSignals.size()];
        int n = 0;
        for (Signal s : userSignals) {
            Integer i = itemIndex.get(s.item());
            if (i != null && s.strength() != 0) {
                index[n] = i;
                strength[n] = s.strength();
                n++;
            }
        }
        if (n == 0) {
            return Optional.empty();
        }
        return Optional.ofNullable(LeastSquares.solve(gram, itemFactors, index, strength, 0, n, params.alpha()));
    }

    /** Predicted preference of every item for a user vector: {@code Y x}. */
    public double[] predict(double[] userVector) {
        DMatrixRMaj out = new DMatrixRMaj(items.length, 1);
        CommonOps_DDRM.mult(itemFactors, DMatrixRMaj.wrap(userVector.length, 1, userVector), out);
        return out.data;
    }

    /** Cosine similarity of two items' factors (0 when the model has none): the "because you watched" link. */
    public double similarity(int a, int b) {
        if (itemFactors == null) {
            return 0;
        }
        int k = itemFactors.numCols;
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int f = 0; f < k; f++) {
            double x = itemFactors.unsafe_get(a, f);
            double y = itemFactors.unsafe_get(b, f);
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    @Override
    public String toString() {
        return "Model[" + version + ", " + stats + ", k=" + (itemFactors == null ? 0 : itemFactors.numCols) + "]";
    }

    static double[] normalisedPopularity(int[] positives) {
        int max = Arrays.stream(positives).max().orElse(0);
        double[] p = new double[positives.length];
        if (max > 0) {
            // log-damped so the long tail is not all zero
            double top = Math.log1p(max);
            for (int i = 0; i < p.length; i++) {
                p[i] = Math.log1p(positives[i]) / top;
            }
        }
        return p;
    }
}
