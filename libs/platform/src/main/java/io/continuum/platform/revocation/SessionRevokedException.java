package io.continuum.platform.revocation;

/**
 * Cause of the {@code AuthenticationFailedException} raised for a revoked session, so the 401 can say "signed out"
 * (the holder of the token is told its session ended, nothing more).
 */
public final class SessionRevokedException extends RuntimeException {

    public SessionRevokedException() {
        super("session revoked", null, false, false);
    }
}
