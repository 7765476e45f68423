package io.continuum.recommendation.domain;

/**
 * What the request knows about the moment: the device in the user's hand (null = unknown), the minutes available
 * (null = no limit), the local hour (0–23) and the highest maturity rating allowed.
 */
public record Context(DeviceContext device, Integer minutes, int hour, Maturity maturityLimit) {
}
