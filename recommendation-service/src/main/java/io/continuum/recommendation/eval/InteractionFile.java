package io.continuum.recommendation.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads {@code user,item,rating,timestamp} lines separated by {@code ::} (MovieLens 1M/10M), a tab (MovieLens 100k
 * {@code u.data}) or a comma (MovieLens latest {@code ratings.csv}); the separator is detected per line. A first line
 * whose rating is not a number is a header and skipped; blank lines and lines starting with {@code #} too. The
 * timestamp may be missing (0).
 */
public final class InteractionFile {

    private static final Pattern SEPARATOR = Pattern.compile("::|\t|,");

    private InteractionFile() {
    }

    public static List<Rating> read(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(in.lines().toList(), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static List<Rating> parse(List<String> lines, String name) {
        List<Rating> out = new ArrayList<>(lines.size());
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = SEPARATOR.split(line);
            if (f.length < 3) {
                throw new IllegalArgumentException(name + ":" + lineNo + ": expected user,item,rating[,timestamp]");
            }
            double rating;
            try {
                rating = Double.parseDouble(f[2].strip());
            } catch (NumberFormatException e) {
                if (out.isEmpty()) {
                    continue; // header
                }
                throw new IllegalArgumentException(name + ":" + lineNo + ": rating '" + f[2] + "' is not a number");
            }
            long ts = 0;
            if (f.length > 3 && !f[3].isBlank()) {
                try {
                    ts = (long) Double.parseDouble(f[3].strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + ":" + lineNo + ": timestamp '" + f[3] + "' is not a number");
                }
            }
            out.add(new Rating(f[0].strip(), f[1].strip(), rating, ts));
        }
        return out;
    }
}
