package io.continuum.testing.fuzz;

import java.nio.charset.StandardCharsets;

/** One hostile request body: what it tries ({@code name}), its declared content type (null: none) and its bytes. */
public record HostileRequest(String name, String contentType, byte[] body) {

    public static HostileRequest json(String name, String body) {
        return new HostileRequest(name, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    public String bodyText() {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 300 ? text.substring(0, 300) + "…(" + body.length + " bytes)" : text;
    }

    @Override
    public String toString() {
        return name + " [" + contentType + "] " + bodyText();
    }
}
