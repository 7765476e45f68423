package io.continuum.platform.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.JsonNodeDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/** The text rule of {@link StrictJson}: which characters a stored string may hold, and the deserializers applying it. */
public final class SafeText {

    private SafeText() {
    }

    /**
     * Why {@code s} may not be stored, or null when it may: U+0000, C0 controls other than TAB, LF and CR, DEL,
     * C1 controls and unpaired surrogates are refused.
     */
    public static String problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "must not contain U+0000";
            }
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F)) {
                return String.format("must not contain the control character U+%04X", (int) c);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "must not contain an unpaired surrogate";
            }
            if (Character.isLowSurrogate(c)) {
                return "must not contain an unpaired surrogate";
            }
        }
        return null;
    }

    /** Typed string members: the standard deserializer (with the strict coercion rules), then the text rule. */
    static final class Strings extends StdDeserializer<String> {

        Strings() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, ctxt);
            String problem = value == null ? null : problem(value);
            if (problem != null) {
                throw new UnsafeTextException(p, problem);
            }
            return value;
        }

        @Override
        public Object getEmptyValue(DeserializationContext ctxt) {
            return "";
        }
    }

    /** Free-form JSON ({@code JsonNode} documents): the standard tree, then every string and member name checked. */
    static final class Trees<T extends JsonNode> extends StdDeserializer<T> {

        private final Class<T> type;

        Trees(Class<T> type) {
            super(type);
            this.type = type;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            // the standard tree deserializer itself: ctxt.readTree would look this one up again
            JsonNode tree = (JsonNode) JsonNodeDeserializer.getDeserializer(type).deserialize(p, ctxt);
            check(p, tree);
            return type.cast(tree);
        }

        @Override
        public T getNullValue(DeserializationContext ctxt) {
            return type == JsonNode.class ? type.cast(ctxt.getNodeFactory().nullNode()) : null;
        }

        private static void check(JsonParser p, JsonNode root) throws JsonMappingException {
            Deque<Object> path = new ArrayDeque<>();
            String problem = walk(root, path);
            if (problem != null) {
                UnsafeTextException e = new UnsafeTextException(p, problem);
                // innermost reference first: prependPath builds the path from the leaf outwards
                for (Iterator<Object> it = path.descendingIterator(); it.hasNext(); ) {
                    Object ref = it.next();
                    if (ref instanceof Integer index) {
                        e.prependPath(root, index);
                    } else {
                        e.prependPath(root, (String) ref);
                    }
                }
                throw e;
            }
        }

        /** Depth-first; leaves {@code path} pointing at the first bad value. */
        private static String walk(JsonNode node, Deque<Object> path) {
            if (node.isTextual()) {
                return problem(node.textValue());
            }
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> member = it.next();
                    String bad = problem(member.getKey());
                    if (bad != null) {
                        return "member names " + bad;
                    }
                    path.addLast(member.getKey());
                    bad = walk(member.getValue(), path);
                    if (bad != null) {
                        return bad;
                    }
                    path.removeLast();
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    path.addLast(i);
                    String bad = walk(node.get(i), path);
                    if (bad != null) {
                        return bad;
                    }
                    path.removeLast();
                }
            }
            return null;
        }
    }
}
