package io.continuum.recommendation.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.continuum.recommendation.model.AlsParams;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline evaluation command on a small generated file with planted tastes (plain JUnit, no fakes). */
class OfflineEvaluationTest {

    static final PlantedTastes.Spec SMALL = new PlantedTastes.Spec(300, 400, 10, 30, 0.8, 11);

    @Test
    void theModelClearlyBeatsMostPopularAndRandomOnPlantedTastes(@TempDir Path dir) {
        Path file = dir.resolve("planted.csv");
        PlantedTastes.write(PlantedTastes.generate(SMALL), file);
        OfflineEvaluation.Options o = OfflineEvaluation.parse(new String[] {
                "--interactions", file.toString(), "--split", "time", "--seed", "3", "--iterations", "8"});

        OfflineEvaluation.Result r = OfflineEvaluation.run(InteractionFile.read(file), o);

        assertThat(r.evaluatedUsers()).isEqualTo(300);
        assertThat(r.model().ndcg()).isGreaterThan(1.5 * r.popular().ndcg());
        assertThat(r.model().precision()).isGreaterThan(1.5 * r.popular().precision());
        assertThat(r.popular().ndcg()).isGreaterThan(r.random().ndcg());
        // not everyone gets the same ten items
        assertThat(r.model().coverage()).isGreaterThan(3 * r.popular().coverage());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OfflineEvaluation.print(r, o, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("NDCG@10", "most popular", "random", "training");
    }

    @Test
    void randomSplitIsReproducibleForASeed(@TempDir Path dir) {
        List<Rating> ratings = PlantedTastes.generate(new PlantedTastes.Spec(60, 100, 5, 15, 0.8, 5));
        OfflineEvaluation.Options o = new OfflineEvaluation.Options(dir, OfflineEvaluation.Split.RANDOM, 9, 0.2,
                Double.NEGATIVE_INFINITY, new AlsParams(8, 4, 0.1, 10, 1, 9));
        OfflineEvaluation.Result first = OfflineEvaluation.run(ratings, o);
        assertThat(OfflineEvaluation.run(ratings, o)).usingRecursiveComparison().ignoringFields("trainingMillis")
                .isEqualTo(first);
        assertThat(first.testInteractions()).isBetween(100, 260); // ~20 % of 900
    }

    @Test
    void readsTheThreeSeparatorsAndSkipsAHeader() {
        List<Rating> r = InteractionFile.parse(List.of("userId,movieId,rating,timestamp", "1,31,2.5,1260759144",
                "196\t242\t3\t881250949", "1::1193::5::978300760", "", "# comment", "7,8,1"), "t");
        assertThat(r).containsExactly(new Rating("1", "31", 2.5, 1260759144L), new Rating("196", "242", 3, 881250949L),
                new Rating("1", "1193", 5, 978300760L), new Rating("7", "8", 1, 0));
        assertThatThrownBy(() -> InteractionFile.parse(List.of("1,2,3,4", "1,2,x,4"), "t"))
                .hasMessageContaining("t:2").hasMessageContaining("rating");
        assertThatThrownBy(() -> OfflineEvaluation.parse(new String[] {"--split", "time"}))
                .hasMessageContaining("--interactions");
        assertThatThrownBy(() -> OfflineEvaluation.parse(new String[] {"--interactions", "f", "--split", "sideways"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
