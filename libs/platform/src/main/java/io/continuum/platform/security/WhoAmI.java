package io.continuum.platform.security;

/** What a service knows of its caller; every service answers it at {@code GET /api/<area>/whoami}. */
public record WhoAmI(String service, String accountId, String username, String sessionId, String deviceId) {

    public static WhoAmI of(String service, Caller caller) {
        return new WhoAmI(service, caller.accountId(), caller.username(), caller.sessionId().orElse(null),
                caller.deviceId().orElse(null));
    }
}
