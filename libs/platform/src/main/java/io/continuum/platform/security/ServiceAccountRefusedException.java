package io.continuum.platform.security;

/**
 * Cause of the {@code AuthenticationFailedException} raised for a valid token that is not a user's sign-in (a
 * service account's {@code client_credentials} token: no {@code sid}), so the answer can be 403
 * {@code user-token-required} instead of the 401 of a bad token.
 */
public final class ServiceAccountRefusedException extends RuntimeException {

    public ServiceAccountRefusedException() {
        super("not a user sign-in", null, false, false);
    }
}
