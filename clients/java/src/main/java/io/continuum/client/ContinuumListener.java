package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a device app hears from {@link ContinuumClient}. Every method has an empty default: implement what you need.
 * Calls come on the client's own thread, one at a time, in order: return quickly and never block in them (hand
 * work to your UI thread).
 */
public interface ContinuumListener {

    /** The state shown changed: a server change arrived, an op was made, answered or rolled back. */
    default void onState(AccountState state) {
    }

    /** The server refused an op for good; it left the queue and its local effect was rolled back. */
    default void onOpRejected(OpRejection rejection) {
    }

    /** A billing/entitlement frame of the account stream ({@code continuum.billing.*}). */
    default void onEntitlements(JsonNode frame) {
    }

    /**
     * Every other frame of the account stream: chat messages, "read" marks, recommendation hints, device and session
     * events ({@code continuum.auth.*}). State frames are folded into {@link #onState} instead.
     */
    default void onNotification(JsonNode frame) {
    }

    /** Another device of the account came online or went offline. */
    default void onPresence(String deviceId, boolean online) {
    }

    /** The live connection opened (after its welcome) or closed. */
    default void onConnection(boolean online) {
    }

    /** The session ended and could not be renewed (revoked, logged out everywhere): the app must sign in again. */
    default void onSignedOut(String reason) {
    }
}
