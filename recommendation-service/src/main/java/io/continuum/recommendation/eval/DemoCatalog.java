package io.continuum.recommendation.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generates the demo catalog that ships with the service ({@code src/main/resources/catalog/demo-catalog.json}):
 * made-up titles from word lists (our own data, no licensed titles), kinds in streaming-like proportions, plausible
 * durations per kind, one to three genres, maturity ratings and release dates. Deterministic for a seed.
 *
 * <pre>java -cp … io.continuum.recommendation.eval.DemoCatalog OUT.json [items=3000 seed=2026]</pre>
 */
public final class DemoCatalog {

    static final String[] GENRES = {"drama", "comedy", "thriller", "sci-fi", "documentary", "animation", "romance",
            "horror", "action", "family", "crime", "fantasy", "nature", "sports", "cooking", "jazz", "electronic",
            "classical", "puzzle", "racing"};
    private static final String[] ADJ = {"Silent", "Crimson", "Hidden", "Last", "Golden", "Broken", "Electric", "Quiet",
            "Distant", "Midnight", "Frozen", "Wild", "Lost", "Bright", "Hollow", "Secret", "Northern", "Paper", "Iron",
            "Velvet", "Restless", "Little", "Endless", "Copper", "Glass"};
    private static final String[] NOUN = {"Harbor", "Orchard", "Signal", "Garden", "Engine", "Lantern", "River",
            "Archive", "Summit", "Compass", "Meadow", "Station", "Theory", "Kingdom", "Tide", "Workshop", "Canyon",
            "Letter", "Orbit", "Parade", "Island", "Circuit", "Kitchen", "Forest", "Mirror"};
    private static final String[] MATURITY = {"all", "7+", "13+", "16+", "18+"};

    private DemoCatalog() {
    }

    public static List<Map<String, Object>> generate(int n, long seed) {
        Random rnd = new Random(seed);
        List<Map<String, Object>> out = new ArrayList<>(n);
        Set<String> titles = new LinkedHashSet<>();
        int[] counters = new int[5];
        for (int i = 0; i < n; i++) {
            double k = rnd.nextDouble();
            String kind = k < 0.35 ? "movie" : k < 0.65 ? "episode" : k < 0.82 ? "short" : k < 0.94 ? "music" : "game";
            int kindIndex = List.of("movie", "episode", "short", "music", "game").indexOf(kind);
            int duration = switch (kind) {
                case "movie" -> 80 + rnd.nextInt(81);
                case "episode" -> rnd.nextBoolean() ? 20 + rnd.nextInt(11) : 40 + rnd.nextInt(21);
                case "short" -> 1 + rnd.nextInt(15);
                case "music" -> 3 + rnd.nextInt(58);
                default -> 15 + rnd.nextInt(106);
            };
            // genres cluster by kind a little: music gets music genres, games game genres
            List<String> genres = new ArrayList<>();
            int count = 1 + rnd.nextInt(3);
            while (genres.size() < count) {
                String g = switch (kind) {
                    case "music" -> GENRES[15 + rnd.nextInt(3)];
                    case "game" -> rnd.nextBoolean() ? GENRES[18 + rnd.nextInt(2)] : GENRES[rnd.nextInt(15)];
                    default -> GENRES[rnd.nextInt(15)];
                };
                if (!genres.contains(g)) {
                    genres.add(g);
                }
            }
            String title;
            do {
                title = "The " + ADJ[rnd.nextInt(ADJ.length)] + " " + NOUN[rnd.nextInt(NOUN.length)]
                        + (rnd.nextInt(4) == 0 ? " " + (2 + rnd.nextInt(4)) : "");
                if (kind.equals("episode")) {
                    title = title + ": Episode " + (1 + rnd.nextInt(12));
                }
            } while (!titles.add(title) && titles.size() < 200_000);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("itemId", kind + "-" + (++counters[kindIndex]));
            item.put("title", title);
            item.put("kind", kind);
            item.put("durationMinutes", duration);
            item.put("genres", genres);
            item.put("maturity", genres.contains("horror") ? "16+" : genres.contains("family") || genres.contains("animation")
                    ? MATURITY[rnd.nextInt(2)] : MATURITY[rnd.nextInt(5)]);
            item.put("releaseDate", LocalDate.of(1960, 1, 1).plusDays(rnd.nextInt(66 * 365)).toString());
            out.add(item);
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: DemoCatalog OUT.json [items=3000 seed=2026]");
            System.exit(2);
        }
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 2026;
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (Map<String, Object> item : generate(n, seed)) {
            lines.add(json.writeValueAsString(item));
        }
        // one item per line: reviewable diffs when the generator changes
        Files.writeString(Path.of(args[0]), "[\n" + String.join(",\n", lines) + "\n]\n");
        System.out.println(n + " items written to " + args[0]);
    }
}
