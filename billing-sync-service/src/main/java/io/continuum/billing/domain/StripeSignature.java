package io.continuum.billing.domain;

import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a {@code Stripe-Signature} header exactly as Stripe signs: {@code t=<unix seconds>,v1=<hex>[,v1=<hex>…]},
 * where each {@code v1} is HMAC-SHA256 over {@code "<t>.<raw body>"} with an endpoint secret. Any {@code v1} matching
 * any configured secret passes (secret rotation: several secrets here, or several {@code v1} from the provider); the
 * comparison is constant-time; {@code t} must be within the tolerance of now, either way. Other schemes ({@code v0})
 * are ignored, as Stripe's libraries do.
 */
public final class StripeSignature {

    public static final String HEADER = "Stripe-Signature";

    private StripeSignature() {
    }

    /**
     * @return the signature's timestamp {@code t} (epoch seconds)
     * @throws ProblemException 400 {@code webhook-signature} naming the header, for every kind of failure
     */
    public static long verify(String header, byte[] payload, List<String> secrets, Duration tolerance, Instant now) {
        if (header == null || header.isBlank()) {
            throw invalid("the Stripe-Signature header is missing");
        }
        Long t = null;
        List<byte[]> v1 = new ArrayList<>();
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw invalid("the Stripe-Signature header is malformed (expected t=…,v1=…)");
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            if (key.equals("t")) {
                try {
                    t = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw invalid("the signature timestamp t is not a number");
                }
            } else if (key.equals("v1")) {
                try {
                    v1.add(HexFormat.of().parseHex(value));
                } catch (IllegalArgumentException e) {
                    throw invalid("a v1 signature is not hex");
                }
            }
        }
        if (t == null) {
            throw invalid("the signature has no timestamp t");
        }
        if (v1.isEmpty()) {
            throw invalid("the signature has no v1 scheme");
        }
        if (Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            throw invalid("the signature timestamp is outside the tolerance of " + tolerance.toSeconds() + " s");
        }
        byte[] signedPayload = concat((t + ".").getBytes(StandardCharsets.UTF_8), payload);
        for (String secret : secrets) {
            byte[] expected = hmac(secret, signedPayload);
            for (byte[] candidate : v1) {
                if (MessageDigest.isEqual(expected, candidate)) {
                    return t;
                }
            }
        }
        throw invalid("no v1 signature matches the payload with the endpoint secret");
    }

    /** The header value a provider sends for {@code payload} at {@code t}, one {@code v1} per secret. */
    public static String sign(byte[] payload, long t, List<String> secrets) {
        StringBuilder sb = new StringBuilder("t=").append(t);
        byte[] signedPayload = concat((t + ".").getBytes(StandardCharsets.UTF_8), payload);
        secrets.forEach(s -> sb.append(",v1=").append(HexFormat.of().formatHex(hmac(s, signedPayload))));
        return sb.toString();
    }

    static byte[] hmac(String secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static ProblemException invalid(String detail) {
        return new ProblemException(400, "webhook-signature", "Invalid webhook signature", detail,
                List.of(new Problem.FieldError(HEADER, detail)));
    }
}
