/**
 * The agent protocol as records: the ticket Baton sends on an agent's queue, the reply (final or progress) an agent
 * sends on {@code baton.results}, the control message on {@code baton.control.<agent>} and the heartbeat on
 * {@code baton.heartbeats}. The only place their JSON field names are written.
 */
package dev.baton.agent.protocol;
