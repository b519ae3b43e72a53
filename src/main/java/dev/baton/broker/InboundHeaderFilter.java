package dev.baton.broker;

import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsHeaderFilterStrategy;

/**
 * Camel's JMS header filter, also dropping Camel-internal headers that arrive in a JMS message under their encoded
 * name ({@code org_DOT_apache_DOT_camel_DOT_x} becomes {@code org.apache.camel.x} after decoding): no route sees a
 * Camel header that a sender set.
 */
final class InboundHeaderFilter extends JmsHeaderFilterStrategy {
    InboundHeaderFilter() {
        super(false);
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        String name = headerName.toLowerCase(Locale.ROOT);
        if (name.startsWith("camel")
                || name.startsWith("org.apache.camel.")
                || name.startsWith("org_dot_apache_dot_camel")) {
            return true;
        }
        return super.applyFilterToExternalHeaders(headerName, headerValue, exchange);
    }
}
