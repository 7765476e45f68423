package io.continuum.recommendation.habits;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Device-switch habits of one account: "on weekdays around 18:00 the phone hands over to the laptop". A switch is
 * two consecutive activities of the account on different devices (at most a few hours apart). Switches are grouped
 * by (from, to, weekday or weekend) and clustered by time of day (± {@link #TOLERANCE_MINUTES}); a cluster is a habit
 * when it happened on at least {@code minSupport} distinct days and on at least {@code minConfidence} of the
 * account's active days of that day type. The same code serves the service's hint scheduler and the offline
 * precision/recall measurement ({@link HabitEvaluation}).
 */
public final class HabitModel {

    public static final int TOLERANCE_MINUTES = 30;

    public record Switch(String from, String to, Instant at) {
    }

    public record Params(int minSupport, double minConfidence, ZoneId zone) {
    }

    /** A predicted switch on a given day. */
    public record Prediction(String from, String to, Instant expectedAt, double confidence, int support) {
    }

    private HabitModel() {
    }

    public static boolean weekend(LocalDate day) {
        return day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
    }

    /** Every habitual switch expected within {@code [start, end)} (end − start at most one day). */
    public static List<Prediction> predict(List<Switch> switches, Set<LocalDate> activeDays, Params p, Instant start,
            Instant end) {
        List<Prediction> out = new ArrayList<>();
        LocalDate first = start.atZone(p.zone()).toLocalDate();
        LocalDate last = end.minusNanos(1).atZone(p.zone()).toLocalDate();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            for (Prediction pr : forDay(switches, activeDays, p, day)) {
                if (!pr.expectedAt().isBefore(start) && pr.expectedAt().isBefore(end)) {
                    out.add(pr);
                }
            }
        }
        return out;
    }

    /** The habits that apply on {@code day}, learned from days before it. */
    static List<Prediction> forDay(List<Switch> switches, Set<LocalDate> activeDays, Params p, LocalDate day) {
        boolean weekend = weekend(day);
        long comparableDays = activeDays.stream().filter(d -> d.isBefore(day) && weekend(d) == weekend).count();
        if (comparableDays == 0) {
            return List.of();
        }
        record Seen(int minute, LocalDate day) {
        }
        Map<String, List<Seen>> byPair = new HashMap<>();
        for (Switch s : switches) {
            ZonedDateTime t = s.at().atZone(p.zone());
            LocalDate d = t.toLocalDate();
            if (!d.isBefore(day) || weekend(d) != weekend) {
                continue;
            }
            byPair.computeIfAbsent(s.from() + "\n" + s.to(), k -> new ArrayList<>())
                    .add(new Seen(t.getHour() * 60 + t.getMinute(), d));
        }
        List<Prediction> out = new ArrayList<>();
        for (Map.Entry<String, List<Seen>> e : byPair.entrySet()) {
            String[] pair = e.getKey().split("\n", 2);
            List<Seen> pool = new ArrayList<>(e.getValue());
            pool.sort(Comparator.comparingInt(Seen::minute));
            while (!pool.isEmpty()) {
                // the densest cluster first: the anchor with the most distinct days within the tolerance
                List<Seen> bestCluster = List.of();
                int bestDays = 0;
                for (Seen anchor : pool) {
                    List<Seen> cluster = pool.stream()
                            .filter(x -> Math.abs(x.minute() - anchor.minute()) <= TOLERANCE_MINUTES).toList();
                    Set<LocalDate> days = new HashSet<>();
                    cluster.forEach(x -> days.add(x.day()));
                    if (days.size() > bestDays) {
                        bestDays = days.size();
                        bestCluster = cluster;
                    }
                }
                pool.removeAll(bestCluster);
                double confidence = Math.min(1, bestDays / (double) comparableDays);
                if (bestDays < p.minSupport() || confidence < p.minConfidence()) {
                    continue;
                }
                int minute = (int) Math.round(bestCluster.stream().mapToInt(Seen::minute).average().orElse(0));
                Instant expected = day.atStartOfDay(p.zone()).plusMinutes(minute).toInstant();
                out.add(new Prediction(pair[0], pair[1], expected, confidence, bestDays));
            }
        }
        out.sort(Comparator.comparing(Prediction::expectedAt));
        return out;
    }
}
