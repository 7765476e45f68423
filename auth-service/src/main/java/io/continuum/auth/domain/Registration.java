package io.continuum.auth.domain;

/** A validated registration request, and what it resulted in. */
public record Registration(String deviceId, String kind, String platform, String displayName) {

    /** @param created true when the device is new to the account (or came back after being revoked) */
    public record Result(DeviceView device, boolean created) {}
}
