package io.continuum.recommendation.domain;

import java.util.Arrays;
import java.util.Optional;

/** Age rating of an item, ordered: an item is shown when its rating is at most the request's limit. */
public enum Maturity {
    ALL("all"), AGE_7("7+"), AGE_13("13+"), AGE_16("16+"), AGE_18("18+");

    private final String wire;

    Maturity(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<Maturity> parse(String s) {
        return Arrays.stream(values()).filter(m -> m.wire.equals(s)).findFirst();
    }
}
