package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.FakeService.Answer;
import dev.baton.agent.protocol.Ticket;
import dev.baton.pipeline.Json;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The http kind against a local server: the ticket goes out as JSON, the answer comes back as the output. */
class HttpAgentTest {
    static final String TOKEN = "tok-secret-98765";
    static final Ticket TICKET = LlmAgentTest.TICKET;

    FakeService server;

    @BeforeEach
    void start() throws Exception {
        server = FakeService.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpAgent agent(Duration timeout) {
        var options = new HttpOptions(
                URI.create(server.url("/score")),
                Map.of("Authorization", "Bearer ${env:SCORER_TOKEN}", "X-Team", "docs"),
                timeout,
                1);
        return new HttpAgent("scorer", options, Map.of("SCORER_TOKEN", TOKEN)::get);
    }

    @Test
    void postsTheTicketWithTheConfiguredHeadersAndTakesTheJsonAnswerAsTheOutput() throws Exception {
        server.path("/score", (n, r) -> Answer.json(200, "{\"score\": 0.9, \"labels\": [\"ok\"]}"));

        AgentResult result = agent(Duration.ofSeconds(10)).handle(TICKET);

        assertThat(result.output()).isEqualTo(Json.parse("{\"score\": 0.9, \"labels\": [\"ok\"]}"));
        assertThat(result.usage()).isNull();
        var request = server.requests("/score").get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.json()).isEqualTo(Json.parse(TICKET.toJson()));
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.header("X-Team")).isEqualTo("docs");
        assertThat(request.header("X-Baton-Ticket")).isEqualTo("t-1");
        assertThat(request.header("X-Baton-Attempt")).isEqualTo("1");
        assertThat(request.header("traceparent")).isNull(); // tracing off: no trace to join
    }

    @Test
    void aTracedTicketsTraceparentIsSentAsTheW3cHeader() throws Exception {
        server.path("/score", (n, r) -> Answer.json(200, "{}"));
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Ticket traced = new Ticket(
                TICKET.ticketId(),
                TICKET.runId(),
                TICKET.pipeline(),
                TICKET.stage(),
                TICKET.item(),
                TICKET.iteration(),
                TICKET.label(),
                TICKET.purpose(),
                TICKET.attempt(),
                TICKET.agent(),
                TICKET.input(),
                TICKET.params(),
                TICKET.deadline(),
                TICKET.expiresAt(),
                traceparent);

        agent(Duration.ofSeconds(10)).handle(traced);

        assertThat(server.requests("/score").get(0).header("traceparent")).isEqualTo(traceparent);
    }

    @Test
    void anAnswerThatIsNotJsonIsAStringAndAnEmptyOneNull() throws Exception {
        server.path("/score", (n, r) -> n == 1 ? Answer.text(200, "looks fine") : Answer.text(204, null));

        assertThat(agent(Duration.ofSeconds(10)).handle(TICKET).output().asText())
                .isEqualTo("looks fine");
        assertThat(agent(Duration.ofSeconds(10)).handle(TICKET).output()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 500, 503})
    void rateLimitsAndServerErrorsMayPass(int status) {
        server.path("/score", (n, r) -> Answer.text(status, "busy\n  right now"));

        assertThatThrownBy(() -> agent(Duration.ofSeconds(10)).handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isTrue();
                    assertThat(f.getMessage())
                            .isEqualTo("agent 'scorer' (POST " + server.url("/score") + ") answered HTTP " + status
                                    + ": busy right now");
                });
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void otherClientErrorsAreFinalAndKeepNoSecret(int status) {
        server.path("/score", (n, r) -> Answer.text(status, "token " + TOKEN + " refused; " + "x".repeat(500)));

        assertThatThrownBy(() -> agent(Duration.ofSeconds(10)).handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isFalse();
                    assertThat(f.getMessage())
                            .contains("answered HTTP " + status + ": token *** refused")
                            .doesNotContain(TOKEN)
                            .endsWith("...");
                    assertThat(f.getMessage().length()).isLessThan(400);
                });
    }

    @Test
    void noAnswerInTimeMayPass() {
        server.path("/score", (n, r) -> Answer.HANG);

        assertThatThrownBy(() -> agent(Duration.ofMillis(500)).handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isTrue();
                    assertThat(f.getMessage()).endsWith(": no answer within PT0.5S");
                });
    }

    @Test
    void aHeaderVariableThatIsNotSetFailsForGoodWithoutCalling() {
        server.path("/score", (n, r) -> Answer.json(200, "{}"));
        var options = new HttpOptions(
                URI.create(server.url("/score")), Map.of("Authorization", "${env:NOPE}"), Duration.ofSeconds(5), 1);

        assertThatThrownBy(() -> new HttpAgent("scorer", options, name -> null).handle(TICKET))
                .isInstanceOfSatisfying(AgentFailure.class, f -> {
                    assertThat(f.retryable()).isFalse();
                    assertThat(f.getMessage()).endsWith("header Authorization: environment variable NOPE is not set");
                });
        assertThat(server.requests("/score")).isEmpty();
    }
}
