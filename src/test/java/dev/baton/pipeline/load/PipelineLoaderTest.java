package dev.baton.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.pipeline.AgentCatalog;
import dev.baton.pipeline.AgentSpec;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.AggregateStrategy;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.Backoff;
import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Notify;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed model the loader builds, and how it stands up to hostile or broken input. */
class PipelineLoaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Pipeline loadValid(String name) throws Exception {
        LoadResult result = PipelineLoader.read(
                PipelineFixturesTest.root().resolve("valid/" + name), "valid/" + name, PipelineFixturesTest.REGISTRY);
        assertThat(result.violations()).isEmpty();
        return result.pipeline();
    }

    private static List<String> violations(String yaml) {
        return PipelineLoader.read(yaml, "p.yaml", PipelineFixturesTest.REGISTRY).violations().stream()
                .map(Object::toString)
                .toList();
    }

    /** Pipeline p with {@code stages} (YAML list entries indented six spaces) as its stages. */
    private static String withStages(String stages) {
        return """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: p}
                spec:
                  pipeline:
                    stages:
                """ + stages;
    }

    private static String minimal(String stageExtra) {
        return withStages("""
                      - name: a
                        agent: registered-agent
                """ + stageExtra);
    }

    @Test
    void typesEveryFieldOfTheContentReviewPipeline() throws Exception {
        Pipeline p = loadValid("content-review.yaml");

        assertThat(p.apiVersion()).isEqualTo("baton/v1");
        assertThat(p.name()).isEqualTo("content-review");
        assertThat(p.description()).isEqualTo("Research, draft, review and publish an article");
        assertThat(p.stages())
                .extracting(Stage::name)
                .containsExactly("research", "draft-long", "draft-short", "review");

        Stage research = p.stage("research").orElseThrow();
        assertThat(research).isInstanceOf(AgentStage.class);
        assertThat(((AgentStage) research).agent()).isEqualTo("researcher");
        assertThat(research.base().input()).isEqualTo("$.params.topic");
        assertThat(research.base().output()).isEqualTo("$.research");
        assertThat(research.base().timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(research.base().retry())
                .isEqualTo(new RetryPolicy(3, Backoff.EXPONENTIAL, Duration.ofSeconds(2), Duration.ofMinutes(1), 0));
        assertThat(research.base().priority()).isEqualTo(7);
        assertThat(research.location()).isEqualTo(new Location("valid/content-review.yaml", 21, 9));
        assertThat(research.dependsOn()).isEmpty();

        Stage draftLong = p.stage("draft-long").orElseThrow();
        assertThat(draftLong.base().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(draftLong.base().retry())
                .isEqualTo(new RetryPolicy(2, Backoff.FIXED, Duration.ofSeconds(1), Duration.ofMinutes(1), 0));
        assertThat(draftLong.base().priority())
                .as("unset: the agent's registry priority, else 4")
                .isNull();
        assertThat(draftLong.base().deadline()).isNull();

        Stage draftShort = p.stage("draft-short").orElseThrow();
        assertThat(draftShort.dependsOn()).containsExactly("research");
        assertThat(draftShort.base().timeout()).isNull();
        assertThat(draftShort.base().retry()).isEqualTo(RetryPolicy.NONE);

        Stage review = p.stage("review").orElseThrow();
        assertThat(review.dependsOn()).containsExactly("draft-long", "draft-short");
        assertThat(review.base().timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(review.base().retry().maxAttempts()).isEqualTo(5);
        assertThat(review.base().retry().backoff()).isEqualTo(Backoff.EXPONENTIAL);
        assertThat(review.base().priority()).isZero();
    }

    @Test
    void readsParamsWithTheirDefaultsAsJson() throws Exception {
        Pipeline p = loadValid("content-review.yaml");

        assertThat(p.params()).containsOnlyKeys("topic", "tone", "limits", "audience");
        assertThat(p.params().keySet()).containsExactly("topic", "tone", "limits", "audience");
        assertThat(p.params().get("topic").required()).isTrue();
        assertThat(p.params().get("topic").defaultValue()).isNull();
        assertThat(p.params().get("tone").required()).isFalse();
        assertThat(p.params().get("tone").defaultValue()).isEqualTo(JSON.readTree("\"neutral\""));
        assertThat(p.params().get("limits").defaultValue())
                .isEqualTo(
                        JSON.readTree(
                                "{\"words\":800,\"sections\":[\"intro\",\"body\",\"outro\"],\"strict\":false,\"ratio\":0.5,\"note\":null}"));
        assertThat(p.params().get("audience").required()).isFalse();
        assertThat(p.params().get("audience").defaultValue()).isNull();
    }

    @Test
    void readsDeclaredAgents() throws Exception {
        Pipeline p = loadValid("content-review.yaml");

        assertThat(p.agents().keySet()).containsExactly("researcher", "writer", "critic");
        AgentSpec researcher = p.agents().get("researcher");
        assertThat(researcher.role()).isEqualTo("research");
        assertThat(researcher.capabilities()).containsExactly("web", "summarize");
        assertThat(researcher.maxConcurrency()).isEqualTo(4);
        assertThat(p.agents().get("critic").capabilities()).isEmpty();
        assertThat(p.agents().get("critic").maxConcurrency()).isNull();
    }

    @Test
    void acceptsShortAndIsoDurationsAndSharedRetrySettings() throws Exception {
        Pipeline p = loadValid("registry-agents.yaml");

        assertThat(p.stage("fetch").orElseThrow().base().timeout()).isEqualTo(Duration.ofMillis(200));
        RetryPolicy patient = new RetryPolicy(4, Backoff.EXPONENTIAL, Duration.ofMillis(500), Duration.ofDays(2), 0);
        assertThat(p.stage("fetch").orElseThrow().base().retry()).isEqualTo(patient);
        assertThat(p.stage("summarise").orElseThrow().base().retry()).isEqualTo(patient);
        assertThat(p.stage("publish").orElseThrow().dependsOn()).containsExactly("summarise");
    }

    @Test
    void orchestraApiVersionIsASynonymWithTheSameResult() throws Exception {
        Pipeline synonym = loadValid("orchestra-synonym.yaml");
        String text = Files.readString(PipelineFixturesTest.root().resolve("valid/orchestra-synonym.yaml"));
        Pipeline same = PipelineLoader.read(
                        text.replace("orchestra.io/v1", "baton/v1"),
                        "valid/orchestra-synonym.yaml",
                        AgentCatalog.none())
                .pipeline();

        assertThat(synonym.apiVersion()).isEqualTo("baton/v1");
        assertThat(synonym.stages()).isEqualTo(same.stages());
        assertThat(synonym.agents()).isEqualTo(same.agents());
    }

    @Test
    void revisionIsTheSha256OfTheTextAndSourceIsTheText() throws Exception {
        String text = minimal("");
        Pipeline p =
                PipelineLoader.read(text, "routes/p.yaml", AgentCatalog.any()).pipeline();

        byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        assertThat(p.revision()).isEqualTo(HexFormat.of().formatHex(hash)).matches("[0-9a-f]{64}");
        assertThat(p.source()).isEqualTo(text);
        assertThat(p.file()).isEqualTo("routes/p.yaml");
        assertThat(PipelineLoader.read(text + "\n", "routes/p.yaml", AgentCatalog.any())
                        .pipeline()
                        .revision())
                .isNotEqualTo(p.revision());
    }

    @Test
    void registryDecidesWhichUndeclaredAgentsAreKnown() {
        String text = minimal("").replace("registered-agent", "somebody");

        assertThat(PipelineLoader.read(text, "p.yaml", AgentCatalog.any()).ok()).isTrue();
        assertThat(PipelineLoader.read(text, "p.yaml", AgentCatalog.none()).violations())
                .map(Object::toString)
                .containsExactly(
                        "p.yaml:8:16 stage 'a': agent 'somebody' is not declared in spec.agents or config/agents.yaml");
    }

    @Test
    void rejectsAFileLargerThanThreeMegabytesAsOneViolation() {
        String text = minimal("        description: \"" + "x".repeat(PipelineLoader.MAX_CODE_POINTS) + "\"\n");

        assertThat(violations(text))
                .containsExactly("p.yaml:1:1 the file is larger than the 3 MB limit ("
                        + text.codePointCount(0, text.length()) + " code points)");
    }

    @Test
    void rejectsAliasesThatExpandPastTheValueLimitWithinTheAliasLimit() {
        StringBuilder yaml = new StringBuilder();
        yaml.append(
                "apiVersion: baton/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  params:\n    x:\n      default:\n");
        yaml.append("        l0: &l0 [a, b]\n");
        for (int i = 1; i <= 24; i++) {
            yaml.append("        l")
                    .append(i)
                    .append(": &l")
                    .append(i)
                    .append(" [*l")
                    .append(i - 1)
                    .append(", *l")
                    .append(i - 1)
                    .append("]\n");
        }
        yaml.append("  pipeline:\n    stages:\n      - {name: a, agent: registered-agent}\n");

        assertThat(violations(yaml.toString()))
                .containsExactly("p.yaml:8:9 spec.params.x.default expands to more than 100000 values");
    }

    @Test
    void rejectsAValueThatContainsItself() {
        String yaml = minimal("").replace("spec:\n", "spec:\n  params:\n    x: {default: &me [1, *me]}\n");

        assertThat(violations(yaml)).containsExactly("p.yaml:6:18 spec.params.x.default[1] refers to itself");
    }

    @Test
    void rejectsKeysThatAreNotStringsIncludingRecursiveOnes() {
        assertThat(violations(minimal("? &k [*k]\n: 1\n")))
                .containsExactly("p.yaml:9:3 keys must be plain strings, not a list");
    }

    @Test
    void reportsYamlErrorsAtTheirPosition() {
        assertThat(violations("a: *nowhere\n"))
                .containsExactly("p.yaml:1:4 YAML syntax error: found undefined alias nowhere");
        assertThat(violations("a:\n\t- b\n"))
                .hasSize(1)
                .first()
                .asString()
                .startsWith("p.yaml:2:1 YAML syntax error: ");
        assertThat(violations("a: \u0000\n"))
                .hasSize(1)
                .first()
                .asString()
                .startsWith("p.yaml:1:4 YAML syntax error: ");
    }

    @Test
    void typesEveryStageKind() throws Exception {
        Pipeline p = loadValid("every-kind.yaml");

        AgentStage draft = (AgentStage) p.stages().get(0);
        assertThat(draft.base().retry())
                .isEqualTo(new RetryPolicy(3, Backoff.EXPONENTIAL, Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2));
        assertThat(draft.base().compensate())
                .isEqualTo(new Compensation(
                        "registered-agent",
                        "$.draft",
                        new RetryPolicy(5, Backoff.EXPONENTIAL, Duration.ofSeconds(1), Duration.ofMinutes(1), 0),
                        Duration.ofSeconds(30)));

        MultiAgentStage review = (MultiAgentStage) p.stages().get(1);
        assertThat(review.agents()).containsExactly("critic-a", "critic-b", "critic-c");
        assertThat(review.strategy()).isEqualTo(AggregateStrategy.QUORUM);
        assertThat(review.voteOn()).isEqualTo("$.verdict");
        assertThat(review.quorumSize()).isEqualTo(2);
        assertThat(review.base().input()).isEqualTo("$.draft");

        ForEachStage fix = (ForEachStage) p.stages().get(2);
        assertThat(fix.base().condition()).isEqualTo("review.decision == \"reject\" && size(params.issues) > 0");
        assertThat(fix.items()).isEqualTo("$.params.issues");
        assertThat(fix.maxParallel()).isEqualTo(2);
        assertThat(fix.continueOnError()).isTrue();
        assertThat(fix.template().name()).isEqualTo("fix-{{ item.id }}");
        assertThat(fix.template().agent()).isEqualTo("fixer");
        assertThat(fix.template().input()).isEqualTo(JSON.readTree("{\"issue\":\"{{ item }}\",\"n\":\"{{ index }}\"}"));

        LoopStage refine = (LoopStage) p.stages().get(3);
        assertThat(refine.until()).isEqualTo("critique.score >= 0.9 || iteration >= 3");
        assertThat(refine.maxIterations()).isEqualTo(5);
        assertThat(refine.continueAtMax()).isTrue();
        assertThat(refine.stages()).map(Stage::name).containsExactly("rewrite", "critique");
        assertThat(refine.stages().get(1)).isInstanceOf(MultiAgentStage.class);
        assertThat(refine.stages().get(1).dependsOn()).containsExactly("rewrite");
        ApprovalStage signOff = (ApprovalStage) p.stages().get(4);
        assertThat(signOff.approvers()).containsExactly("alice", "bob", "carol");
        assertThat(signOff.policy()).isEqualTo(ApprovalStage.Policy.QUORUM);
        assertThat(signOff.needed()).isEqualTo(2);
        assertThat(signOff.timeout()).isEqualTo(Duration.ofHours(1));
        assertThat(signOff.approveOnTimeout()).isFalse();
        assertThat(signOff.mayDecide("carol")).isTrue();
        assertThat(signOff.mayDecide("mallory")).isFalse();
        assertThat(p.stages()).map(Stage::kind).containsExactly("agent", "agents", "for_each", "loop", "approval");
    }

    @Test
    void multiAgentAndForEachDefaults() {
        String yaml = withStages("""
                      - {name: a, agents: [registered-agent]}
                      - {name: b, dynamic: {generator: for_each, input: "$.params.x", template: {agent: registered-agent}}}
                      - {name: c, agents: [registered-agent], aggregateStrategy: quorum}
                """);
        Pipeline p = PipelineLoader.read(yaml, "p.yaml", PipelineFixturesTest.REGISTRY)
                .pipeline();

        MultiAgentStage a = (MultiAgentStage) p.stages().get(0);
        assertThat(a.strategy()).isEqualTo(AggregateStrategy.ALL);
        assertThat(a.voteOn()).isNull();
        ForEachStage b = (ForEachStage) p.stages().get(1);
        assertThat(b.maxParallel()).isEqualTo(10);
        assertThat(b.continueOnError()).isFalse();
        assertThat(b.template().name()).isNull();
        assertThat(b.template().input()).isNull();
        assertThat(((MultiAgentStage) p.stages().get(2)).quorumSize()).isEqualTo(1);
    }

    @Test
    void reportsMergeKeysAsUnknownFields() {
        String yaml = minimal("        <<: {timeout: 5m}\n");

        assertThat(violations(yaml))
                .containsExactly("p.yaml:9:9 stage 'a': unknown field '<<'; expected one of "
                        + "agent, agentSelector, agents, aggregateStrategy, approval, compensate, condition, deadline, dependsOn, description, dynamic, input, loop, "
                        + "name, output, priority, quorum, retry, timeout, voteOn");
    }

    @Test
    void readsFilesAndReportsUnreadableOnes(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), minimal(""));
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), "name: caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));

        assertThat(PipelineLoader.read(good, "routes/good.yaml", AgentCatalog.any())
                        .pipeline()
                        .file())
                .isEqualTo("routes/good.yaml");
        assertThat(PipelineLoader.read(latin1, "routes/latin1.yaml", AgentCatalog.any())
                        .violations())
                .map(Object::toString)
                .containsExactly("routes/latin1.yaml:1:1 the file is not valid UTF-8");
        assertThat(PipelineLoader.read(dir.resolve("missing.yaml"), "routes/missing.yaml", AgentCatalog.any())
                        .violations())
                .map(Object::toString)
                .containsExactly("routes/missing.yaml:1:1 the file does not exist");
    }

    @Test
    void tellsPipelinesFromCamelRoutesWithoutThrowing() {
        assertThat(PipelineLoader.isPipeline(minimal(""))).isTrue();
        assertThat(PipelineLoader.isPipeline("metadata: {x: [1, {kind: Route}]}\nkind: Pipeline\nspec: [unclosed"))
                .isTrue();
        assertThat(PipelineLoader.isPipeline("- route:\n    from: {uri: timer:x}\n"))
                .isFalse();
        assertThat(PipelineLoader.isPipeline("kind: Route\n")).isFalse();
        assertThat(PipelineLoader.isPipeline("spec: {kind: Pipeline}\n")).isFalse();
        assertThat(PipelineLoader.isPipeline("kind: [Pipeline]\n")).isFalse();
        assertThat(PipelineLoader.isPipeline("")).isFalse();
        assertThat(PipelineLoader.isPipeline("{{{: ][")).isFalse();
        assertThat(PipelineLoader.isPipeline("a: *nowhere\nkind: Pipeline")).isTrue();
        assertThat(PipelineLoader.isPipeline("\u0000\u0001")).isFalse();
        assertThat(PipelineLoader.isPipeline(null)).isFalse();
    }

    @Test
    void notifyIsTypedWithItsUrlAndOutcomesAndDefaultsToHowARunCanEnd() throws Exception {
        Pipeline p = loadValid("notify.yaml");
        assertThat(p.notification().webhook())
                .isEqualTo(java.net.URI.create("https://hooks.example.com/baton?token=abc"));
        assertThat(p.notification().on()).containsExactlyInAnyOrder(Notify.Outcome.values());
        assertThat(p.notification().wants("RUNNING")).isTrue();

        LoadResult defaults = PipelineLoader.read(
                minimal("").replace("spec:\n", "spec:\n  notify: {webhook: " + "\"http://127.0.0.1:9000/hook\"}\n"),
                "p.yaml",
                PipelineFixturesTest.REGISTRY);
        assertThat(defaults.violations()).isEmpty();
        assertThat(defaults.pipeline().notification().on()).containsExactlyInAnyOrderElementsOf(Notify.DEFAULT_ON);
        assertThat(defaults.pipeline().notification().wants("RUNNING")).isFalse();
        assertThat(loadValid("minimal.yaml").notification()).isNull();
    }
}
