package io.continuum.platform;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.continuum.events.state.StateChanged;

final class TestEvents {

    private TestEvents() {}

    static StateChanged stateChanged(String key, String opId, long value) {
        return new StateChanged("counter", opId, key, JsonNodeFactory.instance.numberNode(value));
    }
}
