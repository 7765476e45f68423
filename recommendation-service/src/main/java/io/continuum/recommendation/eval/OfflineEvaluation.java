package io.continuum.recommendation.eval;

import io.continuum.recommendation.model.AlsParams;
import io.continuum.recommendation.model.AlsTrainer;
import io.continuum.recommendation.model.Dataset;
import io.continuum.recommendation.model.Model;
import io.continuum.recommendation.model.Ranker;
import io.continuum.recommendation.model.Signal;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Offline evaluation of the service's recommender on any {@code user,item,rating,timestamp} file (protocol in
 * docs/recommendations.md, "Offline evaluation"). It trains the same {@link AlsTrainer} and ranks with the same
 * {@link Ranker} as the service, and compares with most-popular and random on the same split.
 *
 * <pre>java -cp recommendation-service/target/recommendation-eval.jar \
 *   io.continuum.recommendation.eval.OfflineEvaluation --interactions u.data --split time --seed 1</pre>
 */
public final class OfflineEvaluation {

    public static final int K = 10;

    public enum Split { TIME, RANDOM }

    /** Options of one run. */
    public record Options(Path interactions, Split split, long seed, double testFraction, double relevantMin,
            AlsParams params) {
    }

    /** Metrics of one recommender at {@link #K}, averaged over the evaluated users. */
    public record Metrics(String name, double precision, double recall, double ndcg, double map, double coverage,
            double diversity) {
    }

    /** The whole outcome of a run. */
    public record Result(int users, int items, int trainInteractions, int testInteractions, int evaluatedUsers,
            long trainingMillis, Metrics model, Metrics popular, Metrics random) {
    }

    private OfflineEvaluation() {
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        Result r = run(InteractionFile.read(options.interactions()), options);
        print(r, options, System.out);
    }

    public static Result run(List<Rating> ratings, Options o) {
        if (ratings.isEmpty()) {
            throw new IllegalArgumentException("no interactions");
        }
        double maxRating = ratings.stream().mapToDouble(Rating::rating).max().orElse(1);
        List<Rating> train = new ArrayList<>();
        List<Rating> test = new ArrayList<>();
        split(ratings, o, train, test);

        Set<String> allItems = new LinkedHashSet<>();
        ratings.forEach(r -> allItems.add(r.item()));
        List<Signal> signals = train.stream()
                .map(r -> new Signal(r.user(), r.item(), maxRating > 0 ? r.rating() / maxRating : 1)).toList();
        Model model = new AlsTrainer(o.params(), Clock.systemUTC()).train(Dataset.of(signals, allItems), "eval");

        Map<String, List<Signal>> trainByUser = new HashMap<>();
        signals.forEach(s -> trainByUser.computeIfAbsent(s.user(), u -> new ArrayList<>()).add(s));
        Map<String, Set<Integer>> relevant = new HashMap<>();
        for (Rating r : test) {
            if (r.rating() >= o.relevantMin() && trainByUser.containsKey(r.user())) {
                relevant.computeIfAbsent(r.user(), u -> new HashSet<>()).add(model.indexOf(r.item()).orElseThrow());
            }
        }
        List<String> users = new ArrayList<>(relevant.keySet());
        Collections.sort(users);

        Accumulator mine = new Accumulator("model (weighted ALS + prior)", model);
        Accumulator popular = new Accumulator("most popular", model);
        Accumulator random = new Accumulator("random", model);
        Random rnd = new Random(o.seed() ^ 0x5DEECE66DL);
        for (String user : users) {
            List<Signal> history = trainByUser.get(user);
            Set<Integer> seen = new HashSet<>();
            history.forEach(s -> model.indexOf(s.item()).ifPresent(seen::add));
            IntPredicate unseen = i -> !seen.contains(i);
            Set<Integer> rel = relevant.get(user);

            double[] vector = model.foldIn(history).orElse(null);
            mine.add(indexes(Ranker.top(model, vector, Ranker.positives(history), unseen, K)), rel);
            popular.add(indexes(Ranker.top(model, null, 0, unseen, K)), rel);
            random.add(randomList(model.itemCount(), seen, rnd), rel);
        }
        return new Result(trainByUser.size(), model.itemCount(), train.size(), test.size(), users.size(),
                model.stats().trainingMillis(), mine.metrics(), popular.metrics(), random.metrics());
    }

    /**
     * time: per user, the latest {@code testFraction} of that user's interactions (by timestamp, ties by file order)
     * are test, at least one when the user has two or more; random: every interaction is test with probability
     * {@code testFraction}, seeded.
     */
    static void split(List<Rating> ratings, Options o, List<Rating> train, List<Rating> test) {
        if (o.split() == Split.RANDOM) {
            Random rnd = new Random(o.seed());
            for (Rating r : ratings) {
                (rnd.nextDouble() < o.testFraction() ? test : train).add(r);
            }
            return;
        }
        Map<String, List<Rating>> byUser = new HashMap<>();
        ratings.forEach(r -> byUser.computeIfAbsent(r.user(), u -> new ArrayList<>()).add(r));
        for (List<Rating> list : byUser.values()) {
            List<Rating> sorted = new ArrayList<>(list);
            sorted.sort(Comparator.comparingLong(Rating::timestamp)); // stable: ties keep file order
            int nTest = sorted.size() < 2 ? 0 : Math.max(1, (int) Math.round(sorted.size() * o.testFraction()));
            train.addAll(sorted.subList(0, sorted.size() - nTest));
            test.addAll(sorted.subList(sorted.size() - nTest, sorted.size()));
        }
    }

    private static int[] indexes(List<Ranker.Candidate> candidates) {
        return candidates.stream().mapToInt(Ranker.Candidate::item).toArray();
    }

    private static int[] randomList(int items, Set<Integer> seen, Random rnd) {
        int wanted = Math.min(K, items - seen.size());
        Set<Integer> out = new LinkedHashSet<>();
        while (out.size() < wanted) {
            int i = rnd.nextInt(items);
            if (!seen.contains(i)) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Sums per-user metrics; coverage counts distinct recommended items over the whole catalog. */
    private static final class Accumulator {
        private final String name;
        private final Model model;
        private final Set<Integer> recommended = new HashSet<>();
        private double precision, recall, ndcg, map, diversity;
        private int users;

        Accumulator(String name, Model model) {
            this.name = name;
            this.model = model;
        }

        void add(int[] list, Set<Integer> relevant) {
            users++;
            int hits = 0;
            double dcg = 0;
            double ap = 0;
            for (int rank = 0; rank < list.length; rank++) {
                recommended.add(list[rank]);
                if (relevant.contains(list[rank])) {
                    hits++;
                    dcg += 1 / log2(rank + 2);
                    ap += hits / (double) (rank + 1);
                }
            }
            int ideal = Math.min(relevant.size(), K);
            double idcg = 0;
            for (int rank = 0; rank < ideal; rank++) {
                idcg += 1 / log2(rank + 2);
            }
            precision += hits / (double) K;
            recall += hits / (double) relevant.size();
            ndcg += dcg / idcg;
            map += ap / ideal;
            diversity += Ranker.intraListDiversity(model, list);
        }

        Metrics metrics() {
            double n = Math.max(1, users);
            return new Metrics(name, precision / n, recall / n, ndcg / n, map / n,
                    model.itemCount() == 0 ? 0 : recommended.size() / (double) model.itemCount(), diversity / n);
        }

        private static double log2(double x) {
            return Math.log(x) / Math.log(2);
        }
    }

    public static void print(Result r, Options o, PrintStream out) {
        out.printf(Locale.ROOT, "interactions: %s (split %s, test fraction %.2f, seed %d, relevant: %s)%n",
                o.interactions(), o.split().name().toLowerCase(Locale.ROOT), o.testFraction(), o.seed(),
                Double.isInfinite(o.relevantMin()) ? "every test interaction" : "rating >= " + o.relevantMin());
        out.printf(Locale.ROOT, "users %d, items %d, train %d, test %d, evaluated users %d%n",
                r.users(), r.items(), r.trainInteractions(), r.testInteractions(), r.evaluatedUsers());
        AlsParams p = o.params();
        out.printf(Locale.ROOT, "model: factors %d, iterations %d, lambda %s, alpha %s, prior %s; training %d ms%n",
                p.factors(), p.iterations(), p.lambda(), p.alpha(), p.priorWeight(), r.trainingMillis());
        out.printf(Locale.ROOT, "%-30s %8s %8s %8s %8s %9s %9s%n", "recommender", "P@10", "R@10", "NDCG@10", "MAP@10",
                "coverage", "ILD");
        for (Metrics m : List.of(r.model(), r.popular(), r.random())) {
            out.printf(Locale.ROOT, "%-30s %8.4f %8.4f %8.4f %8.4f %9.4f %9.4f%n", m.name(), m.precision(), m.recall(),
                    m.ndcg(), m.map(), m.coverage(), m.diversity());
        }
    }

    static Options parse(String[] args) {
        Path file = null;
        Split split = Split.TIME;
        long seed = 1;
        double testFraction = 0.2;
        double relevantMin = Double.NEGATIVE_INFINITY;
        AlsParams d = AlsParams.DEFAULTS;
        int factors = d.factors();
        int iterations = d.iterations();
        double lambda = d.lambda();
        double alpha = d.alpha();
        double prior = d.priorWeight();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--interactions" -> file = Path.of(v);
                    case "--split" -> split = Split.valueOf(v.toUpperCase(Locale.ROOT));
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--test-fraction" -> testFraction = Double.parseDouble(v);
                    case "--relevant-min" -> relevantMin = Double.parseDouble(v);
                    case "--factors" -> factors = Integer.parseInt(v);
                    case "--iterations" -> iterations = Integer.parseInt(v);
                    case "--lambda" -> lambda = Double.parseDouble(v);
                    case "--alpha" -> alpha = Double.parseDouble(v);
                    case "--prior" -> prior = Double.parseDouble(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a + ": '" + v + "' is not a number");
            }
        }
        if (file == null) {
            throw new IllegalArgumentException("--interactions FILE is required");
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be within (0, 1)");
        }
        return new Options(file, split, seed, testFraction, relevantMin,
                new AlsParams(factors, iterations, lambda, alpha, prior, seed));
    }

    static String usage() {
        return """
                usage: OfflineEvaluation --interactions FILE [--split time|random] [--seed N] [--test-fraction 0.2]
                                         [--relevant-min R] [--factors 32] [--iterations 12] [--lambda 0.1]
                                         [--alpha 10] [--prior 1]
                FILE: user,item,rating[,timestamp] per line, separated by '::', tab or comma""";
    }
}
