package dev.baton.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/** A declared pipeline parameter: required, or optional with a default JSON value (null when none). */
public record ParamSpec(String name, boolean required, JsonNode defaultValue) {}
