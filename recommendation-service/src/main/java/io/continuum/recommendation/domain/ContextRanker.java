package io.continuum.recommendation.domain;

import io.continuum.recommendation.model.Model;
import io.continuum.recommendation.model.Ranker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-ranks the model's candidates for the moment: duration fit to the minutes available, form factor of the device
 * (short and music on phones, long-form on TVs, games on consoles), time of day, a hard maturity filter, and a
 * diversity pass (each further item of an already chosen primary genre is damped) so a list is not ten of a kind.
 * Every item gets a short reason built only from the caller's own history.
 */
public final class ContextRanker {

    /** Below this cosine similarity a history item is not named as the reason. */
    static final double REASON_SIMILARITY = 0.3;
    static final double GENRE_DAMPING = 0.8;

    /** A positive item of the caller's own history, as a model index. */
    public record HistoryItem(int index, String title) {
    }

    private ContextRanker() {
    }

    public static List<Recommendation> rank(Model model, Catalog catalog, List<Ranker.Candidate> candidates,
            List<HistoryItem> history, Context ctx, int limit) {
        record Scored(Ranker.Candidate candidate, CatalogItem item, double score, boolean fits) {
        }
        double top = candidates.stream().mapToDouble(Ranker.Candidate::score).max().orElse(1);
        double scale = top > 0 ? top : 1;
        List<Scored> scored = new ArrayList<>();
        for (Ranker.Candidate c : candidates) {
            CatalogItem item = catalog.get(model.item(c.item())).orElse(null);
            if (item == null || item.maturity().compareTo(ctx.maturityLimit()) > 0) {
                continue;
            }
            // a floor under the model score, so the moment (minutes, device) can lift an item nobody has watched yet
            // above a popular one that does not fit; among items that fit equally the model's order stands
            double base = 0.2 + 0.8 * Math.max(0, c.score() / scale);
            boolean fits = ctx.minutes() != null && item.durationMinutes() <= ctx.minutes();
            double s = base * minutesFit(item, ctx.minutes()) * deviceFit(item, ctx.device()) * hourFit(item, ctx.hour());
            scored.add(new Scored(c, item, s, fits));
        }
        // greedy diversity pass
        List<Recommendation> out = new ArrayList<>(limit);
        Map<String, Integer> perGenre = new HashMap<>();
        List<Scored> pool = new ArrayList<>(scored);
        while (out.size() < limit && !pool.isEmpty()) {
            Scored best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (Scored s : pool) {
                double damped = s.score() * Math.pow(GENRE_DAMPING, perGenre.getOrDefault(s.item().primaryGenre(), 0));
                if (damped > bestScore) {
                    bestScore = damped;
                    best = s;
                }
            }
            pool.remove(best);
            perGenre.merge(best.item().primaryGenre(), 1, Integer::sum);
            CatalogItem item = best.item();
            out.add(new Recommendation(item.itemId(), item.title(), item.kind().wire(), item.durationMinutes(),
                    Math.round(bestScore * 10_000) / 10_000.0, reason(model, best.candidate(), history, best.fits(), ctx)));
        }
        return out;
    }

    /** True when neither the minutes nor the device damp the item. */
    static boolean suits(CatalogItem item, Context ctx) {
        return minutesFit(item, ctx.minutes()) >= 1 && deviceFit(item, ctx.device()) >= 1;
    }

    static double minutesFit(CatalogItem item, Integer minutes) {
        if (minutes == null) {
            return 1;
        }
        if (item.kind() == Kind.GAME || item.kind() == Kind.MUSIC) {
            return 1; // can stop any time
        }
        if (item.durationMinutes() <= minutes) {
            return 1.3;
        }
        return Math.max(0.02, Math.pow(minutes / (double) item.durationMinutes(), 3));
    }

    static double deviceFit(CatalogItem item, DeviceContext device) {
        if (device == null) {
            return 1;
        }
        Kind k = item.kind();
        return switch (device) {
            case PHONE -> switch (k) {
                case SHORT -> 1.4;
                case MUSIC -> 1.2;
                case MOVIE -> 0.7;
                default -> 1;
            };
            case TABLET -> k == Kind.EPISODE ? 1.15 : 1;
            case TV -> switch (k) {
                case MOVIE -> 1.3;
                case EPISODE -> 1.2;
                case SHORT -> 0.6;
                default -> 1;
            };
            case CONSOLE -> switch (k) {
                case GAME -> 1.5;
                case MOVIE -> 1.1;
                case SHORT -> 0.7;
                default -> 1;
            };
            case DESKTOP, WEB -> 1;
        };
    }

    static double hourFit(CatalogItem item, int hour) {
        Kind k = item.kind();
        if (hour >= 6 && hour < 10) {             // morning: quick things
            return k == Kind.SHORT || k == Kind.MUSIC ? 1.15 : k == Kind.MOVIE ? 0.85 : 1;
        }
        if (hour >= 18 && hour < 23) {            // evening: long-form
            return k == Kind.MOVIE || k == Kind.EPISODE ? 1.1 : 1;
        }
        if (hour >= 23 || hour < 5) {             // late night: nothing too long
            return item.durationMinutes() > 120 ? 0.85 : 1;
        }
        return 1;
    }

    static String reason(Model model, Ranker.Candidate c, List<HistoryItem> history, boolean fits, Context ctx) {
        HistoryItem because = null;
        double best = REASON_SIMILARITY;
        for (HistoryItem h : history) {
            double sim = model.similarity(c.item(), h.index());
            if (sim > best) {
                best = sim;
                because = h;
            }
        }
        String fit = fits ? "fits your " + ctx.minutes() + " minutes" : null;
        if (because != null) {
            return "because you watched " + because.title() + (fit == null ? "" : " · " + fit);
        }
        if (fit != null) {
            return fit;
        }
        return history.isEmpty() ? "popular right now" : "popular with people like you";
    }
}
