package io.continuum.recommendation.model;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The one solve of weighted ALS, used by both half-steps of a training and by the fold-in of a single user:
 * <pre>x = (FᵀF + λI + Fₛᵀ (Cₛ − I) Fₛ)⁻¹ Fₛᵀ Cₛ pₛ</pre>
 * where F are the fixed factors of the other side, {@code FᵀF + λI} is precomputed once per half-step, and only the
 * rows s this user/item touched appear in the correction (the Hu–Koren–Volinsky trick that makes implicit feedback
 * over every unobserved cell cost O(nₛk² + k³) per row).
 */
final class LeastSquares {

    private LeastSquares() {
    }

    /** {@code FᵀF + λI}. */
    static DMatrixRMaj regularisedGram(DMatrixRMaj factors, double lambda) {
        int k = factors.numCols;
        DMatrixRMaj gram = new DMatrixRMaj(k, k);
        CommonOps_DDRM.multTransA(factors, factors, gram);
        CommonOps_DDRM.addEquals(gram, lambda, CommonOps_DDRM.identity(k));
        return gram;
    }

    /**
     * Solves one row.
     *
     * @param gram     {@code FᵀF + λI} of the fixed side
     * @param factors  the fixed side's factors, one row per index
     * @param index    indexes into {@code factors} of the observed entries ({@code from..to-1} are used)
     * @param strength the signals of those entries (positive: preference, negative: dislike)
     * @return the k-vector, or null when the system cannot be solved
     */
    static double[] solve(DMatrixRMaj gram, DMatrixRMaj factors, int[] index, double[] strength, int from, int to, double alpha) {
        int n = to - from;
        int k = factors.numCols;
        DMatrixRMaj a = gram.copy();
        DMatrixRMaj b = new DMatrixRMaj(k, 1);
        if (n > 0) {
            int[] rows = new int[n];
            double[] extra = new double[n];
            DMatrixRMaj target = new DMatrixRMaj(n, 1);
            for (int j = 0; j < n; j++) {
                double s = strength[from + j];
                double c = 1 + alpha * Math.abs(s);
                rows[j] = index[from + j];
                extra[j] = c - 1;
                target.data[j] = s > 0 ? c : 0;
            }
            DMatrixRMaj observed = CommonOps_DDRM.extract(factors, rows, n, allColumns(k), k, null);
            DMatrixRMaj weighted = observed.copy();
            CommonOps_DDRM.multRows(extra, weighted);
            CommonOps_DDRM.multAddTransA(observed, weighted, a);
            CommonOps_DDRM.multTransA(observed, target, b);
        }
        DMatrixRMaj x = new DMatrixRMaj(k, 1);
        if (!CommonOps_DDRM.solveSPD(a, b, x) && !CommonOps_DDRM.solve(a, b, x)) {
            return null;
        }
        return x.data;
    }

    private static int[] allColumns(int k) {
        int[] cols = new int[k];
        for (int i = 0; i < k; i++) {
            cols[i] = i;
        }
        return cols;
    }
}
