package io.continuum.billing.domain;

/** Subscription statuses (docs/billing.md, "State machine") and their mapping from a Stripe-compatible provider. */
public final class Status {

    public static final String INCOMPLETE = "incomplete";
    public static final String TRIALING = "trialing";
    public static final String ACTIVE = "active";
    public static final String PAST_DUE = "past_due";
    public static final String CANCELED = "canceled";
    public static final String EXPIRED = "expired";
    public static final String REVOKED = "revoked";

    private Status() {
    }

    /** Ours for the provider's status; {@code cancel_at_period_end} makes a live subscription {@code canceled}. */
    public static String fromProvider(String providerStatus, boolean cancelAtPeriodEnd) {
        String s = switch (providerStatus == null ? "" : providerStatus) {
            case "trialing" -> TRIALING;
            case "active" -> ACTIVE;
            case "past_due", "unpaid" -> PAST_DUE;
            case "canceled", "incomplete_expired" -> EXPIRED;
            default -> INCOMPLETE;
        };
        return cancelAtPeriodEnd && (s.equals(ACTIVE) || s.equals(TRIALING)) ? CANCELED : s;
    }

    /** Still running at the provider: can be canceled, can fail a payment. */
    public static boolean live(String status) {
        return TRIALING.equals(status) || ACTIVE.equals(status) || PAST_DUE.equals(status);
    }

    /** No way back (a new purchase makes a new subscription). */
    public static boolean terminal(String status) {
        return EXPIRED.equals(status) || REVOKED.equals(status);
    }
}
