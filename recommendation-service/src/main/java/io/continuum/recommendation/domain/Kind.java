package io.continuum.recommendation.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a catalog item is. */
public enum Kind {
    MOVIE, EPISODE, SHORT, MUSIC, GAME;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Kind> parse(String s) {
        return Arrays.stream(values()).filter(k -> k.wire().equals(s)).findFirst();
    }
}
