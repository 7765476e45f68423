package io.continuum.recommendation.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Synthetic interactions with planted tastes, for testing that the model learns what is there: items fall into
 * {@code genres} groups with Zipf popularity inside each group; every user likes two groups and draws
 * {@code tasteShare} of their interactions from them, the rest from the whole catalog by global popularity (the
 * noise that makes most-popular a real baseline). Ratings: 4–5 for a liked group, 1–3 otherwise; timestamps grow.
 */
public final class PlantedTastes {

    public record Spec(int users, int items, int genres, int perUser, double tasteShare, long seed) {
    }

    private PlantedTastes() {
    }

    public static List<Rating> generate(Spec spec) {
        Random rnd = new Random(spec.seed());
        int perGenre = Math.max(1, spec.items() / spec.genres());
        double[] zipf = new double[perGenre];
        double total = 0;
        for (int r = 0; r < perGenre; r++) {
            total += 1.0 / (r + 1);
            zipf[r] = total;
        }
        List<Rating> out = new ArrayList<>();
        long ts = 1_700_000_000L;
        for (int u = 0; u < spec.users(); u++) {
            int g1 = rnd.nextInt(spec.genres());
            int g2 = (g1 + 1 + rnd.nextInt(spec.genres() - 1)) % spec.genres();
            Set<Integer> taken = new HashSet<>();
            int attempts = 0;
            while (taken.size() < spec.perUser() && attempts++ < spec.perUser() * 20) {
                boolean taste = rnd.nextDouble() < spec.tasteShare();
                int genre = taste ? (rnd.nextBoolean() ? g1 : g2) : rnd.nextInt(spec.genres());
                int rank = pick(zipf, total, rnd);
                int item = genre * perGenre + rank;
                if (item >= spec.items() || !taken.add(item)) {
                    continue;
                }
                boolean liked = genre == g1 || genre == g2;
                double rating = liked ? 4 + rnd.nextInt(2) : 1 + rnd.nextInt(3);
                out.add(new Rating("u" + u, "i" + item, rating, ts));
                ts += 1 + rnd.nextInt(60);
            }
        }
        return out;
    }

    public static void write(List<Rating> ratings, Path file) {
        List<String> lines = new ArrayList<>(ratings.size() + 1);
        lines.add("user,item,rating,timestamp");
        for (Rating r : ratings) {
            lines.add(r.user() + "," + r.item() + "," + (int) r.rating() + "," + r.timestamp());
        }
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code java -cp … PlantedTastes OUT [users items genres perUser tasteShare seed]}. */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: PlantedTastes OUT [users=1000 items=2000 genres=20 perUser=40 tasteShare=0.8 seed=7]");
            System.exit(2);
        }
        Spec spec = new Spec(arg(args, 1, 1000), arg(args, 2, 2000), arg(args, 3, 20), arg(args, 4, 40),
                args.length > 5 ? Double.parseDouble(args[5]) : 0.8, args.length > 6 ? Long.parseLong(args[6]) : 7);
        List<Rating> ratings = generate(spec);
        write(ratings, Path.of(args[0]));
        System.out.println(ratings.size() + " interactions written to " + args[0] + " (" + spec + ")");
    }

    private static int arg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }

    private static int pick(double[] cumulative, double total, Random rnd) {
        double x = rnd.nextDouble() * total;
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
