package io.continuum.notification.domain;

import java.time.Instant;

/** A frame before the stream gave it a sequence number. */
public record FrameDraft(
        String accountId,
        String eventId,
        String type,
        DeliveryClass delivery,
        String coalesceKey,
        String originDevice,
        Long revision,
        Instant time,
        String data) {

    public Frame at(long seq, String epoch) {
        return new Frame(accountId, seq, epoch, eventId, type, delivery, coalesceKey, originDevice, revision, time, data);
    }
}
