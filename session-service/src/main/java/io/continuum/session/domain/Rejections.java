package io.continuum.session.domain;

/** Machine-readable {@code reason}s of rejected ops. */
public final class Rejections {

    public static final String UNKNOWN_KIND = "unknown-kind";
    public static final String INSUFFICIENT_FUNDS = "insufficient-funds";
    public static final String INSUFFICIENT_QUANTITY = "insufficient-quantity";
    public static final String ALREADY_UNLOCKED = "already-unlocked";
    public static final String STALE_VERSION = "stale-version";
    public static final String NOT_FORWARD = "not-forward";
    /** A replayed playback/world op lost to a newer action of another device it had not seen ({@code current} = the winner). */
    public static final String SUPERSEDED = "superseded";
    /** The op id was answered before for a different op (a client bug): nothing applied, nothing stored. */
    public static final String OP_ID_REUSED = "op-id-reused";
    /** The content needs an entitlement the account does not hold (e.g. premium content without {@code premium}). */
    public static final String ENTITLEMENT_REQUIRED = "entitlement-required";

    private Rejections() {
    }
}
