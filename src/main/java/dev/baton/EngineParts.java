package dev.baton;

import dev.baton.agent.AgentConfig;
import dev.baton.api.RunService;
import dev.baton.broker.Messaging;
import dev.baton.compile.Endpoints;
import dev.baton.compile.PipelineCompiler;
import dev.baton.compile.RevisionRoutes;
import dev.baton.compile.RunStarter;
import dev.baton.runtime.CelLanguage;
import dev.baton.runtime.EngineWiring;
import dev.baton.runtime.OutboxRelay;
import dev.baton.runtime.OutboxSends;
import dev.baton.runtime.RunEngine;
import dev.baton.runtime.RunMetrics;
import dev.baton.runtime.RunReplies;
import dev.baton.runtime.Scheduler;
import dev.baton.runtime.Webhooks;
import dev.baton.ticket.ReplyStore;
import dev.baton.ticket.WebhookStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.springframework.jms.connection.JmsTransactionManager;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The engine as it runs inside a started Camel: the outbox relay, webhooks, the compiler of pipelines into routes
 * and the revisions' routes, the run engine, and the schedules that start runs.
 */
record EngineParts(
        OutboxRelay relay,
        Webhooks webhooks,
        PipelineCompiler compiler,
        RevisionRoutes revisions,
        RunEngine engine,
        Scheduler scheduler) {

    /**
     * Sends over the relay's connection factory: persistent (each message sets its own delivery mode, priority and
     * time to live), in the relay's JMS transaction when one is open.
     */
    private static JmsTemplate relayTemplate(Messaging messaging) {
        JmsTemplate jms = new JmsTemplate(messaging.relay());
        jms.setSessionTransacted(false); // outside a transaction, each send is acknowledged by the broker
        return jms;
    }

    /** Builds the parts in the order they need each other; {@code starter} starts a run for a trigger route. */
    static EngineParts assemble(
            Core core, CamelContext camel, Messaging messaging, PrometheusMeterRegistry meters, RunStarter starter) {
        var relayTransactions = new TransactionTemplate(new JmsTransactionManager(messaging.relay()));
        // Its own transaction even if a caller's thread had one on the same connections: committed when send returns.
        relayTransactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        OutboxRelay relay = new OutboxRelay(
                camel.createProducerTemplate(),
                core.tx(),
                core.outbox(),
                core.faults(),
                core.clock(),
                new OutboxSends(
                        relayTemplate(messaging),
                        core.clock(),
                        sends -> relayTransactions.executeWithoutResult(status -> sends.run()),
                        messaging.destinations()));
        Webhooks webhooks = new Webhooks(
                core.tx(), new WebhookStore(), core.outbox(), core.settings().webhooks(), core.clock());
        RunReplies replies = new RunReplies(
                new ReplyStore(),
                core.outbox(),
                (c, runId) -> RunService.view(c, core.store(), core.pipelines(), runId));
        var agents = core.agents();
        EngineWiring wiring = new EngineWiring(new EngineWiring.Inputs(
                core.tx(),
                core.store(),
                core.outbox(),
                core.pipelines(),
                webhooks,
                core.clock(),
                new RunEngine.Reporting(new RunMetrics(meters, core.tracing()), replies),
                core.faults(),
                new EngineWiring.Agents(
                        agent -> agents.current()
                                .find(agent)
                                .map(AgentConfig::priority)
                                .orElse(null),
                        agents,
                        core.health()),
                core.settings().limits().maxForEachItems(),
                (agent, declared) -> agents.current().price(agent, declared)));
        PipelineCompiler compiler = new PipelineCompiler(starter, wiring.processors());
        camel.getRegistry().bind(Endpoints.CEL, new CelLanguage());
        RevisionRoutes revisions = new RevisionRoutes(camel, compiler, core.clock());
        RunEngine engine = wiring.engine(camel.createProducerTemplate(), revisions::ensure);
        Scheduler scheduler = new Scheduler(
                core.tx(),
                core.pipelines(),
                engine,
                relay,
                new Scheduler.Misfire(core.clock(), core.settings().misfireThreshold()));
        return new EngineParts(relay, webhooks, compiler, revisions, engine, scheduler);
    }
}
