package dev.baton.runtime;

/** The collaborators a {@link RunEngine} applies events with, built by {@link EngineWiring}. */
record EngineParts(Stages stages, Reruns reruns, Spending spending, RouteCalls calls, RunEngine.Revisions revisions) {}
