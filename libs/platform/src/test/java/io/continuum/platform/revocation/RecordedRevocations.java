package io.continuum.platform.revocation;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test observer: every {@link SessionsRevoked} fired in the test application. */
@ApplicationScoped
public class RecordedRevocations {

    private final List<SessionsRevoked> events = new CopyOnWriteArrayList<>();

    /** A method, not the field: the test sees this bean through a client proxy. */
    public List<SessionsRevoked> events() {
        return events;
    }

    void on(@Observes SessionsRevoked event) {
        events.add(event);
    }
}
