package io.continuum.events;

import java.util.ArrayList;
import java.util.List;

/** What a producer must fill in on the CloudEvents envelope; the data is checked by its schema. */
final class EnvelopeRules {

    private EnvelopeRules() {
    }

    static List<String> check(CloudEvent e) {
        List<String> violations = new ArrayList<>();
        if (!CloudEvent.SPEC_VERSION.equals(e.specversion())) {
            violations.add("specversion: must be \"" + CloudEvent.SPEC_VERSION + "\" but was " + quoted(e.specversion()));
        }
        requireText(violations, "id", e.id());
        requireText(violations, "source", e.source());
        requireText(violations, "type", e.type());
        requireText(violations, "subject", e.subject());
        if (e.time() == null) {
            violations.add("time: required");
        }
        if (!CloudEvent.JSON_CONTENT_TYPE.equals(e.datacontenttype())) {
            violations.add("datacontenttype: must be \"" + CloudEvent.JSON_CONTENT_TYPE + "\" but was "
                    + quoted(e.datacontenttype()));
        }
        if (e.revision() != null && e.revision() < 0) {
            violations.add("revision: must be >= 0 but was " + e.revision());
        }
        if (e.deviceid() != null && e.deviceid().isBlank()) {
            violations.add("deviceid: must be omitted (null) rather than blank");
        }
        if (e.data() == null || !e.data().isObject()) {
            violations.add("data: must be a JSON object");
        }
        return violations;
    }

    private static void requireText(List<String> violations, String field, String value) {
        if (EventCodec.isBlank(value)) {
            violations.add(field + ": required");
        }
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
