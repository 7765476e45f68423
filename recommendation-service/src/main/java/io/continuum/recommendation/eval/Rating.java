package io.continuum.recommendation.eval;

/** One line of an interactions file: {@code user,item,rating,timestamp}. */
public record Rating(String user, String item, double rating, long timestamp) {
}
