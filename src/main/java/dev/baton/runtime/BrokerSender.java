package dev.baton.runtime;

import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;

/**
 * Who sent an inbound message, as the broker stamped it ({@code populate-validated-user} in broker.xml): the one
 * fact about a message's origin that its sender cannot forge, because the broker overwrites whatever the sender put
 * in that property.
 */
public final class BrokerSender {
    /** Artemis' property for the authenticated user who sent a message. */
    private static final String VALIDATED_USER =
            org.apache.activemq.artemis.api.core.Message.HDR_VALIDATED_USER.toString();

    private BrokerSender() {}

    /**
     * The broker user that sent the message, read from the JMS message itself so that no header filter can drop or
     * forge it; null for Baton's own user {@code batonUser} (the engine and the in-process agents, trusted with
     * everything) and when the broker does not say (an external broker without {@code populate-validated-user}).
     */
    public static String of(Exchange ex, String batonUser) {
        if (!(ex.getMessage() instanceof JmsMessage jms) || jms.getJmsMessage() == null) {
            return null;
        }
        try {
            String user = jms.getJmsMessage().getStringProperty(VALIDATED_USER);
            return user == null || user.equals(batonUser) ? null : user;
        } catch (jakarta.jms.JMSException e) {
            return null;
        }
    }
}
