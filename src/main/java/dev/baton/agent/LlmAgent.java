package dev.baton.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.agent.protocol.Ticket;
import dev.baton.agent.protocol.Usage;
import dev.baton.pipeline.Json;
import dev.baton.pipeline.StrictJson;
import dev.baton.pipeline.Templates;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.TokenUsage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code llm} agent: renders the ticket into a chat request to an OpenAI-compatible chat-completions endpoint
 * (through LangChain4j) and makes the answer the output, as JSON or text, with the token usage. With {@code tools},
 * the model may call tools of MCP servers: Baton runs the loop (the model asks, Baton calls the tool, the result goes
 * back) up to {@code maxToolCalls} calls, and reports every call with the reply.
 */
public final class LlmAgent implements ServiceAgent, AutoCloseable {
    /** A whole answer wrapped in one Markdown code fence, as models often write JSON. */
    private static final Pattern FENCED = Pattern.compile("(?s)\\s*```[A-Za-z0-9_-]*\\s*\\n(.*?)\\n?\\s*```\\s*");

    private final String name;
    private final LlmOptions options;
    private final OpenAiChatModel model;
    private final String missingKey;
    private final List<String> secrets;
    private final LlmTools tools;

    /** @param env looks up environment variables ({@code System::getenv}; tests pass their own) */
    public LlmAgent(String name, LlmOptions options, Function<String, String> env) {
        this.name = name;
        this.options = options;
        String key = options.apiKeyEnv() == null ? null : env.apply(options.apiKeyEnv());
        this.missingKey = options.apiKeyEnv() != null && (key == null || key.isBlank())
                ? "environment variable " + options.apiKeyEnv() + " (apiKeyEnv) is not set"
                : null;
        this.secrets = key == null ? List.of() : List.of(key);
        this.tools = new LlmTools("agent '" + name + "'", options.tools(), env);
        // No retries inside the call: Baton retries the ticket with the stage's policy, and a lease bounds an attempt.
        this.model = OpenAiChatModel.builder()
                .baseUrl(options.baseUrl().toString())
                .apiKey(key)
                .modelName(options.model())
                .temperature(options.temperature())
                .maxTokens(options.maxTokens())
                .timeout(options.timeout())
                .maxRetries(0)
                .build();
    }

    @Override
    public AgentResult handle(Ticket ticket) throws AgentFailure {
        if (missingKey != null) {
            throw AgentFailure.permanent(what() + ": " + missingKey);
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (options.system() != null) {
            messages.add(SystemMessage.from(Templates.renderText(options.system(), TicketValues.of(name, ticket))));
        }
        messages.add(UserMessage.from(Templates.renderText(options.prompt(), TicketValues.of(name, ticket))));
        LlmTools.Offer offer = tools.offer();
        ArrayNode calls = Json.MAPPER.createArrayNode();
        Usage usage = null;
        ChatResponse response;
        int made = 0;
        while (true) {
            ChatRequest.Builder request = ChatRequest.builder().messages(messages);
            if (!offer.specifications().isEmpty()) request.toolSpecifications(offer.specifications());
            try {
                response = model.chat(request.build());
            } catch (RuntimeException e) {
                throw failure(e).withUsage(usage).withToolCalls(calls);
            }
            usage = sum(usage, usage(response.tokenUsage()));
            AiMessage ai = response.aiMessage();
            if (ai == null || !ai.hasToolExecutionRequests()) {
                break;
            }
            made += ai.toolExecutionRequests().size();
            if (made > options.maxToolCalls()) {
                throw AgentFailure.permanent(what() + ": the model asked for more than maxToolCalls ("
                                + options.maxToolCalls() + ") tool calls")
                        .withUsage(usage)
                        .withToolCalls(calls);
            }
            messages.add(ai);
            for (ToolExecutionRequest call : ai.toolExecutionRequests()) {
                try {
                    messages.add(ToolExecutionResultMessage.from(call, offer.call(call, calls)));
                } catch (AgentFailure f) {
                    throw f.withUsage(usage).withToolCalls(calls);
                }
            }
        }
        String answer =
                response.aiMessage() == null ? null : response.aiMessage().text();
        if (options.output() == LlmOptions.Output.TEXT) {
            return new AgentResult(answer == null ? null : new TextNode(answer), usage, calls);
        }
        JsonNode json = StrictJson.parseOrNull(unfenced(answer));
        if (json == null) {
            // The tokens are spent: the failure reports them too.
            throw AgentFailure.permanent(what() + ": the model's answer is not JSON (output: json): "
                            + (answer == null || answer.isBlank() ? "<empty>" : HttpFailures.excerpt(answer, secrets)))
                    .withUsage(usage)
                    .withToolCalls(calls);
        }
        return new AgentResult(json, usage, calls);
    }

    private static String unfenced(String answer) {
        if (answer == null) {
            return null;
        }
        Matcher m = FENCED.matcher(answer);
        return m.matches() ? m.group(1) : answer;
    }

    /** What LangChain4j threw, as the failure Baton maps it to (the cause chain keeps the HTTP status and I/O error). */
    private AgentFailure failure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                return HttpFailures.forStatus(what(), http.statusCode(), http.getMessage(), secrets);
            }
            if (t instanceof IOException io) {
                return HttpFailures.forIo(what(), io, options.timeout(), secrets);
            }
            if (t instanceof dev.langchain4j.exception.TimeoutException) {
                return AgentFailure.retryable(what() + ": no answer within " + options.timeout());
            }
        }
        return AgentFailure.retryable(
                what() + ": " + e.getClass().getSimpleName() + ": " + HttpFailures.excerpt(e.getMessage(), secrets));
    }

    private static Usage usage(TokenUsage u) {
        if (u == null || (u.inputTokenCount() == null && u.outputTokenCount() == null && u.totalTokenCount() == null)) {
            return null;
        }
        return new Usage(toLong(u.inputTokenCount()), toLong(u.outputTokenCount()), toLong(u.totalTokenCount()));
    }

    private static Long toLong(Integer n) {
        return n == null ? null : n.longValue();
    }

    /** The tokens of all the calls of one attempt. */
    private static Usage sum(Usage total, Usage more) {
        return total == null ? more : total.plus(more);
    }

    @Override
    public void close() {
        tools.close();
    }

    private String what() {
        return "agent '" + name + "' (model " + options.model() + " at " + options.baseUrl() + ")";
    }
}
