package io.continuum.recommendation.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Device kinds as auth-service registers them (continuum.auth.device-registered.v1). */
public enum DeviceContext {
    PHONE, TABLET, DESKTOP, TV, CONSOLE, WEB;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DeviceContext> parse(String s) {
        return Arrays.stream(values()).filter(d -> d.wire().equals(s)).findFirst();
    }
}
