package io.continuum.session.domain;

import java.util.List;

/** The answer to a batch: one result per op, in the order sent, and the account's revision after the batch. */
public record BatchOutcome(long revision, List<OpResult> results) {
}
