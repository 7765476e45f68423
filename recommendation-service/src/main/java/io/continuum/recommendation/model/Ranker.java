package io.continuum.recommendation.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntPredicate;

/**
 * Candidate generation: the model's predicted preference blended with the popularity prior, top-N over every item
 * that is allowed. The blend gives a user with n positive signals {@code n / (n + priorWeight)} of the model score, so
 * a brand-new user gets the popular items and an active one mostly their own taste.
 */
public final class Ranker {

    /** One scored item (index into the model). */
    public record Candidate(int item, double score, double modelScore) {
    }

    private Ranker() {
    }

    /**
     * @param userVector    the folded-in user vector, or null (popularity only)
     * @param positiveCount how many positive signals the user has
     * @param allowed       which item indexes may be returned (e.g. not finished, not seen in training)
     */
    public static List<Candidate> top(Model model, double[] userVector, int positiveCount, IntPredicate allowed, int n) {
        int items = model.itemCount();
        double[] predicted = userVector == null ? null : model.predict(userVector);
        double prior = model.params().priorWeight();
        double w = predicted == null ? 0 : (prior == 0 ? 1 : positiveCount / (positiveCount + prior));
        PriorityQueue<Candidate> best = new PriorityQueue<>(n + 1, (a, b) -> Double.compare(a.score(), b.score()));
        for (int i = 0; i < items; i++) {
            if (!allowed.test(i)) {
                continue;
            }
            double m = predicted == null ? 0 : predicted[i];
            double score = w * m + (1 - w) * model.popularity(i);
            if (best.size() < n) {
                best.add(new Candidate(i, score, m));
            } else if (score > best.peek().score()) {
                best.poll();
                best.add(new Candidate(i, score, m));
            }
        }
        List<Candidate> out = new ArrayList<>(best);
        out.sort((a, b) -> Double.compare(b.score(), a.score()));
        return out;
    }

    /** Positive signals among {@code signals}. */
    public static int positives(Collection<Signal> signals) {
        return (int) signals.stream().filter(s -> s.strength() > 0).count();
    }

    /** Mean pairwise (1 − cosine) of a list's item factors: intra-list diversity in model space (0 = all alike). */
    public static double intraListDiversity(Model model, int[] list) {
        if (list.length < 2 || !model.collaborative()) {
            return 0;
        }
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < list.length; a++) {
            for (int b = a + 1; b < list.length; b++) {
                sum += 1 - model.similarity(list[a], list[b]);
                pairs++;
            }
        }
        return sum / pairs;
    }

    static int[] indexes(List<Candidate> candidates) {
        return candidates.stream().mapToInt(Candidate::item).toArray();
    }

}
