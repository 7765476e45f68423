package io.continuum.auth.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** Request bodies of the devices API, validated field by field (422 problem+json naming the field). */
public final class DeviceRequests {

    private DeviceRequests() {
    }

    static final String DEVICE_ID = "^[A-Za-z0-9._:-]{1,64}$";
    static final String KIND = "^(phone|tablet|desktop|tv|console|web)$";
    static final String PLATFORM = "^[a-z0-9][a-z0-9._-]{0,31}$";
    /** 1–80 characters, no control characters, not only spaces. */
    static final String DISPLAY_NAME = "^(?=.*\\S)[^\\p{Cntrl}]{1,80}$";

    public record Register(
            @NotNull @Pattern(regexp = DEVICE_ID, message = "1-64 characters of A-Z a-z 0-9 . _ : -") String deviceId,
            @NotNull @Pattern(regexp = KIND, message = "one of phone, tablet, desktop, tv, console, web") String kind,
            @NotNull @Pattern(regexp = PLATFORM, message = "1-32 characters of a-z 0-9 . _ -, e.g. ios, android, tizen, browser") String platform,
            @NotNull @Pattern(regexp = DISPLAY_NAME, message = "1-80 characters, no control characters, not blank") String displayName) {
    }

    public record Rename(
            @NotNull @Pattern(regexp = DISPLAY_NAME, message = "1-80 characters, no control characters, not blank") String displayName) {
    }
}
