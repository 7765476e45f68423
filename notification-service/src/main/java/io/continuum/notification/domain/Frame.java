package io.continuum.notification.domain;

import java.time.Instant;

/**
 * One entry of an account's ordered stream, as stored (with its sequence number) before it is pushed.
 *
 * @param accountId    the account whose stream holds it
 * @param seq          position in the stream (1, 2, 3 ... within an epoch, no gaps)
 * @param epoch        the stream's epoch; a new epoch means sequence numbers started over
 * @param eventId      the CloudEvent id it came from (or a server-made id), unique per account
 * @param type         the event type, e.g. {@code continuum.playback.position-changed.v1}
 * @param delivery     its delivery class
 * @param coalesceKey  for latest-wins frames: frames with the same key supersede each other
 * @param originDevice the device the change came from ({@code null} for server-made changes)
 * @param revision     the account state revision after the change, when the producer gave one
 * @param time         when the change happened
 * @param data         the payload as a JSON object text
 */
public record Frame(
        String accountId,
        long seq,
        String epoch,
        String eventId,
        String type,
        DeliveryClass delivery,
        String coalesceKey,
        String originDevice,
        Long revision,
        Instant time,
        String data) {

    /**
     * The frame as sent on a socket, for one device: {@code prev} is the seq of the frame sent before it on that
     * socket (a gap between {@code prev} and the device's last seq means frames were lost: resume), {@code echo}
     * tells the device that made the change that this is its own change.
     */
    public String wire(long prev, String deviceId) {
        StringBuilder sb = new StringBuilder(data.length() + 256);
        sb.append("{\"type\":").append(Json.quote(type))
                .append(",\"seq\":").append(seq)
                .append(",\"epoch\":").append(Json.quote(epoch))
                .append(",\"prev\":").append(prev)
                .append(",\"class\":\"").append(delivery.wire()).append('"')
                .append(",\"id\":").append(Json.quote(eventId))
                .append(",\"time\":\"").append(time).append('"');
        if (revision != null) {
            sb.append(",\"revision\":").append(revision);
        }
        if (originDevice != null) {
            sb.append(",\"origin\":").append(Json.quote(originDevice));
        }
        sb.append(",\"echo\":").append(originDevice != null && originDevice.equals(deviceId));
        sb.append(",\"data\":").append(data).append('}');
        return sb.toString();
    }
}
