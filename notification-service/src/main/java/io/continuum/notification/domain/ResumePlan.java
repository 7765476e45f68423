package io.continuum.notification.domain;

/**
 * Where a (re)connecting device starts in its account stream.
 *
 * @param afterSeq the frames after this seq are replayed, then the stream goes live
 * @param resync   {@code null} when the resume is exact; otherwise why the device must resync (fetch a snapshot
 *                 through the sync protocol) before it continues live from {@code afterSeq} (= head)
 */
public record ResumePlan(long afterSeq, String resync) {

    public static final String EPOCH_CHANGED = "epoch-changed";
    public static final String HISTORY_TRIMMED = "history-trimmed";
    public static final String TOO_FAR_BEHIND = "too-far-behind";
    public static final String AHEAD_OF_STREAM = "ahead-of-stream";

    /**
     * Decides how to resume.
     *
     * @param epoch     the stream's epoch
     * @param head      the stream's last seq (0 when empty)
     * @param low       the lowest retained seq, or {@code null} when no frame is retained
     * @param seq       the device's last processed seq, or {@code null} for a fresh start (live from head)
     * @param seqEpoch  the epoch {@code seq} belongs to ({@code null} only allowed with seq 0)
     * @param maxReplay most frames replayed at once
     */
    public static ResumePlan decide(String epoch, long head, Long low, Long seq, String seqEpoch, int maxReplay) {
        if (seq == null) {
            return new ResumePlan(head, null);
        }
        if (seqEpoch == null ? seq != 0 : !seqEpoch.equals(epoch)) {
            return new ResumePlan(head, EPOCH_CHANGED);
        }
        if (seq > head) {
            return new ResumePlan(head, AHEAD_OF_STREAM);
        }
        if (seq == head) {
            return new ResumePlan(head, null);
        }
        if (low == null || low > seq + 1) {
            return new ResumePlan(head, HISTORY_TRIMMED);
        }
        if (head - seq > maxReplay) {
            return new ResumePlan(head, TOO_FAR_BEHIND);
        }
        return new ResumePlan(seq, null);
    }
}
