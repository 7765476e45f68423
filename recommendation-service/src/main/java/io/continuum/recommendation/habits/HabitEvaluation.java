package io.continuum.recommendation.habits;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Precision and recall of the pre-load hint on generated accounts with planted habits. Every account has a phone, a
 * laptop and a TV; it is active every day; it has one weekday habit (phone → laptop at a random time between 07:00
 * and 22:00, kept on {@code habitProbability} of weekdays, ± 10 min jitter), half the accounts also a weekend habit
 * (laptop → TV), and every day brings {@code noisePerDay} random switches at random times. {@code trainDays} of
 * history, then the hints the model would send over {@code testDays} are compared with the switches that happened:
 * a hint is right when the same switch happened within ± 30 min of its expected time.
 *
 * <pre>java -cp … io.continuum.recommendation.habits.HabitEvaluation [accounts=500 trainDays=42 testDays=7 seed=1]</pre>
 */
public final class HabitEvaluation {

    public record Spec(int accounts, int trainDays, int testDays, double habitProbability, double noisePerDay, long seed) {
    }

    /**
     * @param precision       right hints / hints
     * @param recallHabitual  planted-habit switches of the test days that had a hint / all of them
     * @param recallAll       all switches of the test days that had a hint / all of them (noise included)
     */
    public record Result(int hints, int rightHints, int habitualSwitches, int habitualHit, int allSwitches, int allHit,
            double precision, double recallHabitual, double recallAll) {
    }

    private record Planted(HabitModel.Switch s, boolean habitual) {
    }

    private HabitEvaluation() {
    }

    public static Result run(Spec spec, HabitModel.Params params) {
        Random rnd = new Random(spec.seed());
        LocalDate start = LocalDate.of(2026, 9, 7); // a Monday
        int hints = 0, right = 0, habitual = 0, habitualHit = 0, all = 0, allHit = 0;
        String[] devices = {"phone", "laptop", "tv"};
        for (int a = 0; a < spec.accounts(); a++) {
            int weekdayMinute = 7 * 60 + rnd.nextInt(15 * 60);
            boolean hasWeekend = rnd.nextBoolean();
            int weekendMinute = 10 * 60 + rnd.nextInt(12 * 60);
            List<Planted> planted = new ArrayList<>();
            Set<LocalDate> active = new HashSet<>();
            for (int d = 0; d < spec.trainDays() + spec.testDays(); d++) {
                LocalDate day = start.plusDays(d);
                active.add(day);
                boolean weekend = HabitModel.weekend(day);
                if (!weekend && rnd.nextDouble() < spec.habitProbability()) {
                    planted.add(new Planted(sw("phone", "laptop", day, weekdayMinute + rnd.nextInt(21) - 10), true));
                }
                if (weekend && hasWeekend && rnd.nextDouble() < spec.habitProbability()) {
                    planted.add(new Planted(sw("laptop", "tv", day, weekendMinute + rnd.nextInt(21) - 10), true));
                }
                int noise = (int) spec.noisePerDay() + (rnd.nextDouble() < spec.noisePerDay() % 1 ? 1 : 0);
                for (int n = 0; n < noise; n++) {
                    int f = rnd.nextInt(3);
                    int t = (f + 1 + rnd.nextInt(2)) % 3;
                    planted.add(new Planted(sw(devices[f], devices[t], day, rnd.nextInt(24 * 60)), false));
                }
            }
            Instant split = start.plusDays(spec.trainDays()).atStartOfDay(ZoneOffset.UTC).toInstant();
            List<HabitModel.Switch> history = planted.stream().map(Planted::s).filter(s -> s.at().isBefore(split)).toList();
            Set<LocalDate> historyDays = new HashSet<>();
            active.stream().filter(d -> d.isBefore(start.plusDays(spec.trainDays()))).forEach(historyDays::add);
            List<Planted> future = planted.stream().filter(p -> !p.s().at().isBefore(split)).toList();
            Instant end = split.plus(Duration.ofDays(spec.testDays()));
            // each test day predicted from the history only (the service also learns from the test days; this is stricter)
            List<HabitModel.Prediction> predictions = new ArrayList<>();
            for (Instant day = split; day.isBefore(end); day = day.plus(Duration.ofDays(1))) {
                predictions.addAll(HabitModel.predict(history, historyDays, params, day, day.plus(Duration.ofDays(1))));
            }
            for (HabitModel.Prediction pr : predictions) {
                hints++;
                if (future.stream().anyMatch(p -> matches(pr, p.s()))) {
                    right++;
                }
            }
            for (Planted p : future) {
                boolean hit = predictions.stream().anyMatch(pr -> matches(pr, p.s()));
                all++;
                allHit += hit ? 1 : 0;
                if (p.habitual()) {
                    habitual++;
                    habitualHit += hit ? 1 : 0;
                }
            }
        }
        return new Result(hints, right, habitual, habitualHit, all, allHit, ratio(right, hints),
                ratio(habitualHit, habitual), ratio(allHit, all));
    }

    static boolean matches(HabitModel.Prediction pr, HabitModel.Switch s) {
        return pr.from().equals(s.from()) && pr.to().equals(s.to())
                && Math.abs(Duration.between(pr.expectedAt(), s.at()).toMinutes()) <= HabitModel.TOLERANCE_MINUTES;
    }

    private static HabitModel.Switch sw(String from, String to, LocalDate day, int minute) {
        int m = Math.max(0, Math.min(24 * 60 - 1, minute));
        return new HabitModel.Switch(from, to, day.atStartOfDay(ZoneOffset.UTC).plusMinutes(m).toInstant());
    }

    private static double ratio(int a, int b) {
        return b == 0 ? 0 : a / (double) b;
    }

    public static void main(String[] args) {
        Spec spec = new Spec(arg(args, 0, 500), arg(args, 1, 42), arg(args, 2, 7), 0.8, 1.0, arg(args, 3, 1));
        HabitModel.Params params = new HabitModel.Params(3, 0.5, ZoneOffset.UTC);
        long t0 = System.nanoTime();
        Result r = run(spec, params);
        System.out.printf(Locale.ROOT, "%s, %s%n", spec, params);
        System.out.printf(Locale.ROOT, "hints %d, right %d: precision %.3f%n", r.hints(), r.rightHints(), r.precision());
        System.out.printf(Locale.ROOT, "habitual switches %d, hinted %d: recall %.3f%n", r.habitualSwitches(),
                r.habitualHit(), r.recallHabitual());
        System.out.printf(Locale.ROOT, "all switches (noise included) %d, hinted %d: recall %.3f%n", r.allSwitches(),
                r.allHit(), r.recallAll());
        System.out.printf(Locale.ROOT, "(%d ms)%n", (System.nanoTime() - t0) / 1_000_000);
    }

    private static int arg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }
}
