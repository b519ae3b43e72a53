package dev.baton.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A stage that fans out over a JSON array of the run context (splitter): one ticket per item, at most
 * {@code maxParallel} in flight; its output is the array of the items' outputs in item order.
 *
 * @param items JSONPath to the array
 * @param continueOnError whether a failed item (after its retries) leaves an error entry in the output instead of
 *     failing the stage
 */
public record ForEachStage(
        StageBase base, String items, int maxParallel, ItemTemplate template, boolean continueOnError)
        implements Stage {

    /**
     * What each item's ticket looks like; {@code {{ item }}}, {@code {{ item.x }}} and {@code {{ index }}} are
     * substituted in the name and the input.
     *
     * @param name ticket label template, or null for {@code <stage>[<index>]}
     * @param input input template (any JSON value), or null for the item itself
     */
    public record ItemTemplate(String name, String agent, JsonNode input) {}

    @Override
    public <R> R accept(StageVisitor<R> visitor) {
        return visitor.forEach(this);
    }
}
