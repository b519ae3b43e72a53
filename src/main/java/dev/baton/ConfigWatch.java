package dev.baton;

import dev.baton.agent.AgentRegistry;
import dev.baton.agent.InProcessAgents;
import dev.baton.agent.LiveRegistry;
import dev.baton.broker.EmbeddedBroker;
import dev.baton.compile.PipelineRegistry;
import dev.baton.compile.RoutesFolder;
import dev.baton.pipeline.Pipeline;
import dev.baton.ticket.RunStore;
import dev.baton.ticket.Tx;

/**
 * Keeps the in-process agents and the loaded pipelines in step with {@code config/agents.yaml} and {@code routes/}.
 *
 * @param broker the embedded broker, whose agent users it lets in; null with an external broker
 */
record ConfigWatch(LiveRegistry agents, EmbeddedBroker broker, InProcessAgents inProcess, RoutesFolder folder,
        PipelineRegistry pipelines, Tx tx, RunStore store) {

    /** Runs in flight finish on their pinned revision even when its file is gone: their in-process agents must run. */
    void servePinned() throws Exception {
        for (String[] pr : tx.run(store::activeRevisions)) {
            inProcess.serve(tx.run(c -> pipelines.pinned(c, pr[0], pr[1])));
        }
    }

    /**
     * One tick of the watch on {@code config/}, then {@code routes/}: a registry that changed and loads is put in
     * force, in-process agents it changed or removed are stopped, every pipeline file is validated again against it
     * (one that no longer validates keeps its previous version serving, as after a broken edit), and the agents of
     * the loaded pipelines are served as it says.
     */
    void tick() throws Exception {
        AgentRegistry before = agents.current();
        AgentRegistry after = agents.reload();
        if (after != null) {
            if (broker != null) after.names().forEach(broker::allowAgent);
            inProcess.registryChanged(before, after);
            folder.revalidate();
        }
        folder.scan();
        if (after != null) {
            for (Pipeline p : pipelines.all()) inProcess.serve(p);
            servePinned();
        }
    }
}
