/**
 * OpenTelemetry spans for runs, stages and ticket attempts, built after the fact from the times the store keeps, with
 * ids derived from the run, stage and ticket so that any process can emit a run's spans and agents can join them.
 */
package dev.baton.tracing;
