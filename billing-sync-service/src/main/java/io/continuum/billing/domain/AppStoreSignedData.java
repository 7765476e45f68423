package io.continuum.billing.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.config.BillingConfig;
import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * Verifies App Store signed data (JWS, as in App Store Server Notifications v2 and its {@code signedTransactionInfo}
 * / {@code signedRenewalInfo}) the way Apple documents it: algorithm {@code ES256} only; the {@code x5c} chain in the
 * header must validate (PKIX, at the current time) up to one of the configured roots (Apple Root CA - G3 in
 * production; the simulator's test root locally); the intermediate must carry Apple's WWDR marker extension
 * ({@code 1.2.840.113635.100.6.2.1}) and the signing certificate the App Store receipt-signing marker
 * ({@code 1.2.840.113635.100.6.11.1}); then the signature is checked with the signing certificate's key. Anything else
 * is a 400 {@code bad-signature} naming the field. Online revocation checks (OCSP) are not made: the servers run
 * without reaching Apple (left out, docs/billing.md).
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // the root files are read at startup (an unreadable one stops it, naming the file), never on an event loop
public class AppStoreSignedData {

    static final String INTERMEDIATE_MARKER = "1.2.840.113635.100.6.2.1";
    static final String SIGNER_MARKER = "1.2.840.113635.100.6.11.1";

    private final Set<TrustAnchor> anchors;
    private final List<X509Certificate> roots;
    private final ObjectMapper mapper;

    public AppStoreSignedData(BillingConfig config, ObjectMapper mapper) {
        this.mapper = mapper;
        this.roots = config.appStore().rootCertificates().map(AppStoreSignedData::load).orElse(List.of());
        Set<TrustAnchor> a = new HashSet<>();
        roots.forEach(r -> a.add(new TrustAnchor(r, null)));
        this.anchors = a;
    }

    /** False when no root is configured: the store's notifications cannot be verified, so none is accepted. */
    public boolean configured() {
        return !anchors.isEmpty();
    }

    /** The verified payload of {@code jws}; {@code field} names it in the error. */
    public JsonNode verify(String jws, String field, Instant now) {
        if (jws == null || jws.isBlank()) {
            throw bad(field, "is required");
        }
        try {
            JsonWebSignature s = new JsonWebSignature();
            s.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                    AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256));
            s.setCompactSerialization(jws);
            List<X509Certificate> chain = s.getCertificateChainHeaderValue();
            if (chain == null || chain.size() < 2) {
                throw bad(field, "the x5c header must hold the signing certificate and its intermediate");
            }
            validateChain(chain, field, now);
            s.setKey(chain.get(0).getPublicKey());
            if (!s.verifySignature()) {
                throw bad(field, "the signature does not match the signed data");
            }
            JsonNode payload = mapper.readTree(s.getPayload());
            if (payload == null || !payload.isObject()) {
                throw bad(field, "the signed data is not a JSON object");
            }
            return payload;
        } catch (JoseException | IOException e) {
            throw bad(field, "not a valid ES256 JWS: " + e.getMessage());
        }
    }

    private void validateChain(List<X509Certificate> chain, String field, Instant now) {
        if (chain.get(0).getExtensionValue(SIGNER_MARKER) == null) {
            throw bad(field, "the signing certificate is not an App Store signing certificate");
        }
        if (chain.get(1).getExtensionValue(INTERMEDIATE_MARKER) == null) {
            throw bad(field, "the intermediate certificate is not Apple's WWDR intermediate");
        }
        // the trust anchor itself is not part of the path to validate
        List<X509Certificate> path = new ArrayList<>(chain);
        path.removeIf(roots::contains);
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (GeneralSecurityException e) {
            throw bad(field, "the certificate chain does not lead to a trusted App Store root: " + e.getMessage());
        }
    }

    static ProblemException bad(String field, String message) {
        return new ProblemException(400, "bad-signature", "Invalid App Store signature", field + ": " + message,
                List.of(new Problem.FieldError(field, message)));
    }

    private static List<X509Certificate> load(List<String> files) {
        List<X509Certificate> out = new ArrayList<>();
        for (String f : files) {
            try (InputStream in = Files.newInputStream(Path.of(f))) {
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    out.add((X509Certificate) c);
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("continuum.billing.app-store.root-certificates: cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }
}
