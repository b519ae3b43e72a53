package dev.baton.runtime;

import dev.baton.compile.PipelineCatalog;
import dev.baton.compile.StageProcessors;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.ticket.AgentStore;
import dev.baton.ticket.OutboxStore;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.Tx;
import java.time.Clock;
import org.apache.camel.ProducerTemplate;

/**
 * Builds the engine's parts once, in the order they need each other: tickets, stages and compensations, the
 * processors the compiled routes call, then the engine that applies events through those routes.
 */
public final class EngineWiring {
    /** What the engine is built from. */
    public record Inputs(
            Tx tx,
            RunStore store,
            OutboxStore outbox,
            PipelineCatalog pipelines,
            Webhooks webhooks,
            Clock clock,
            RunEngine.Reporting reporting,
            Faults faults,
            Agents agents,
            int maxForEachItems,
            TokenPrices prices) {}

    /** How tickets find and rank their agents. */
    public record Agents(AgentPriorities priorities, AgentCatalog catalog, AgentHealth.Policy health) {}

    private final Inputs in;
    private final Stages stages;
    private final CompiledStages compiled;

    public EngineWiring(Inputs in) {
        this.in = in;
        TicketTiming timing = new TicketTiming(in.reporting().metrics());
        Tickets tickets = new Tickets(
                in.store(),
                new EventLog(in.store(), in.outbox(), in.webhooks()),
                timing,
                in.agents().priorities(),
                new AgentChooser(
                        in.agents().catalog(), new AgentStore(), in.agents().health()));
        this.stages = new Stages(in.store(), tickets, new Compensations(in.store(), tickets));
        this.compiled = new CompiledStages(stages, in.maxForEachItems());
    }

    /** What the pipeline compiler builds stage routes with. */
    public StageProcessors processors() {
        return compiled;
    }

    /** The engine, calling compiled routes through {@code template} once {@code revisions} has added them. */
    public RunEngine engine(ProducerTemplate template, RunEngine.Revisions revisions) {
        RouteCalls calls = new RouteCalls(template);
        RunSteps steps = new RunSteps(
                in.tx(), in.clock(), new RunSteps.Sources(in.pipelines(), revisions, in.reporting()), stages, calls);
        Attempts attempts = new Attempts(stages);
        Spending spending = new Spending(in.store(), in.prices(), in.reporting().metrics());
        return new RunEngine(
                steps,
                new RunStarts(steps, stages),
                new AgentReplies(steps, stages, attempts, new AgentReplies.Checks(spending, in.faults())),
                new AttemptEnds(steps, stages, attempts),
                new RunCommands(steps, stages, new Reruns(stages, in.store(), stages.tickets()), calls));
    }
}
