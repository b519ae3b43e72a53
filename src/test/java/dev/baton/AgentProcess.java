package dev.baton;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * An external agent in a JVM of its own, for failover tests: sends heartbeats as one instance, takes tickets from
 * its queue, reports progress naming its instance, and never finishes them (the work outlasts the process, which
 * the test kills -9). It speaks only the protocol docs/agents.md documents.
 */
public final class AgentProcess {
    private final Process process;

    private AgentProcess(Process process) {
        this.process = process;
    }

    /** Starts {@code java -cp <test classpath> dev.baton.AgentProcess BROKER_PORT AGENT INSTANCE INTERVAL_MS}. */
    public static AgentProcess start(int brokerPort, String agent, String instance, Duration interval, Path log)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                AgentProcess.class.getName(),
                Integer.toString(brokerPort),
                agent,
                instance,
                Long.toString(interval.toMillis())));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // It logs in as the agent's own broker user (TestBaton.agentConnections adds it).
        pb.environment().put("BATON_BROKER_PASSWORD", TestBaton.agentPassword(agent));
        return new AgentProcess(pb.start());
    }

    public void kill9() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no goodbye
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean alive() {
        return process.isAlive();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String agent = args[1];
        String instance = args[2];
        long interval = Long.parseLong(args[3]);
        Connection c = new ActiveMQConnectionFactory(
                        "tcp://127.0.0.1:" + port, agent, System.getenv("BATON_BROKER_PASSWORD"))
                .createConnection();
        c.start();
        List<String> inFlight = new java.util.concurrent.CopyOnWriteArrayList<>();
        Session hbSession = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer heartbeats = hbSession.createProducer(hbSession.createTopic("baton.heartbeats"));
        heartbeats.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        heartbeats.setTimeToLive(interval * 3);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        timer.scheduleAtFixedRate(
                () -> {
                    try {
                        var hb = Json.object()
                                .put("type", "heartbeat")
                                .put("agent", agent)
                                .put("instance", instance)
                                .put("at", Instant.now().toString());
                        inFlight.forEach(hb.putArray("inFlight")::add);
                        synchronized (hbSession) {
                            heartbeats.send(hbSession.createTextMessage(Json.write(hb)));
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                },
                0,
                interval,
                TimeUnit.MILLISECONDS);

        Session work = c.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer tickets = work.createConsumer(work.createQueue("baton.agent." + agent));
        MessageProducer results = work.createProducer(work.createQueue("baton.results"));
        while (true) {
            TextMessage m = (TextMessage) tickets.receive();
            JsonNode t = Json.parse(m.getText());
            var progress = Json.object()
                    .put("ticketId", t.path("ticketId").asText())
                    .put("attempt", t.path("attempt").asInt())
                    .put("status", "progress")
                    .put("percent", 10)
                    .put("message", "working")
                    .put("instance", instance);
            TextMessage out = work.createTextMessage(Json.write(progress));
            out.setJMSCorrelationID(t.path("ticketId").asText());
            results.send(out);
            work.commit(); // the ticket is ours now; the work goes on until the process dies
            inFlight.add(t.path("ticketId").asText());
            System.out.println("TICKET " + t.path("ticketId").asText() + " attempt "
                    + t.path("attempt").asInt());
        }
    }
}
