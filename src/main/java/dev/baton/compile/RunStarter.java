package dev.baton.compile;

/** Starts a run of a pipeline; what compiled trigger routes call (implemented by the API's run service). */
@FunctionalInterface
public interface RunStarter {
    /**
     * @param paramsJson the params object as JSON (null or blank for none)
     * @param idempotencyKey null for none; the same key always yields the same run
     * @return the run, as the REST API shows it, in JSON
     */
    String start(String pipeline, String paramsJson, String idempotencyKey);
}
