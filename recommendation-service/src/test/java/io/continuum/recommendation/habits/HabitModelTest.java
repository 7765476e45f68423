package io.continuum.recommendation.habits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Habit learning on generated switches (plain JUnit, nothing faked). */
class HabitModelTest {

    static final HabitModel.Params PARAMS = new HabitModel.Params(3, 0.5, ZoneOffset.UTC);

    @Test
    void aWeekdayHabitIsPredictedOnWeekdaysOnlyAroundItsTime() {
        List<HabitModel.Switch> switches = new ArrayList<>();
        Set<LocalDate> days = new HashSet<>();
        LocalDate monday = LocalDate.of(2026, 11, 2);
        for (int d = 0; d < 21; d++) {
            LocalDate day = monday.plusDays(d);
            days.add(day);
            if (!HabitModel.weekend(day)) {
                switches.add(new HabitModel.Switch("phone", "laptop",
                        day.atStartOfDay(ZoneOffset.UTC).plusHours(18).plusMinutes(d % 2 == 0 ? 5 : -5).toInstant()));
            }
        }
        Instant nextMonday = monday.plusDays(21).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<HabitModel.Prediction> p = HabitModel.predict(switches, days, PARAMS, nextMonday, nextMonday.plus(Duration.ofDays(1)));
        assertThat(p).hasSize(1);
        assertThat(p.get(0).from()).isEqualTo("phone");
        assertThat(p.get(0).to()).isEqualTo("laptop");
        assertThat(Duration.between(nextMonday.plus(Duration.ofHours(18)), p.get(0).expectedAt()).abs().toMinutes()).isLessThanOrEqualTo(5);
        assertThat(p.get(0).support()).isEqualTo(15);
        Instant saturday = nextMonday.minus(Duration.ofDays(2));
        assertThat(HabitModel.predict(switches, days, PARAMS, saturday, saturday.plus(Duration.ofDays(1)))).isEmpty();
        // a window that ends before the expected time has nothing
        assertThat(HabitModel.predict(switches, days, PARAMS, nextMonday, nextMonday.plus(Duration.ofHours(17)))).isEmpty();
    }

    @Test
    void twoSwitchesAreNotAHabitAndRareOnesAreBelowConfidence() {
        LocalDate monday = LocalDate.of(2026, 11, 2);
        Set<LocalDate> days = new HashSet<>();
        for (int d = 0; d < 35; d++) {
            days.add(monday.plusDays(d));
        }
        List<HabitModel.Switch> rare = new ArrayList<>();
        for (int w = 0; w < 4; w++) { // once a week for four weeks: support 4 but 4 of 20 weekdays
            rare.add(new HabitModel.Switch("tv", "phone", monday.plusWeeks(w).atStartOfDay(ZoneOffset.UTC).plusHours(9).toInstant()));
        }
        Instant day = monday.plusDays(35).atStartOfDay(ZoneOffset.UTC).toInstant();
        assertThat(HabitModel.predict(rare, days, PARAMS, day, day.plus(Duration.ofDays(1)))).isEmpty();
        assertThat(HabitModel.predict(rare.subList(0, 2), days, new HabitModel.Params(3, 0.0, ZoneOffset.UTC), day,
                day.plus(Duration.ofDays(1)))).isEmpty();
    }

    @Test
    void hintsArePreciseAndFindMostPlantedHabitsInGeneratedData() {
        HabitEvaluation.Result r = HabitEvaluation.run(new HabitEvaluation.Spec(60, 28, 7, 0.8, 1.0, 3), PARAMS);
        assertThat(r.hints()).isGreaterThan(100);
        assertThat(r.precision()).isGreaterThan(0.7);
        assertThat(r.recallHabitual()).isGreaterThan(0.8);
        assertThat(r.recallAll()).isLessThan(r.recallHabitual()); // random switches cannot be foreseen
    }
}
