package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.BatonMain;
import dev.baton.pipeline.AgentStage;
import dev.baton.pipeline.AggregateStrategy;
import dev.baton.pipeline.ApprovalStage;
import dev.baton.pipeline.Compensation;
import dev.baton.pipeline.ForEachStage;
import dev.baton.pipeline.Location;
import dev.baton.pipeline.LoopStage;
import dev.baton.pipeline.MultiAgentStage;
import dev.baton.pipeline.Pipeline;
import dev.baton.pipeline.RetryPolicy;
import dev.baton.pipeline.Stage;
import dev.baton.pipeline.StageBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton graph}: every stage kind drawn in Mermaid and DOT, labels escaped, and the command on real files. */
class GraphCommandTest {
    /** research, draft (compensated), review (vote), rewrite (if), fix-each (for_each), refine (loop), publish. */
    static final Pipeline EVERY_KIND = pipeline(List.of(
            new AgentStage(base("research"), "researcher"),
            new AgentStage(compensated(base("draft", "research"), "writer"), "writer"),
            new MultiAgentStage(
                    base("review", "draft"),
                    List.of("critic-a", "critic-b", "critic-c"),
                    AggregateStrategy.VOTE,
                    "$.verdict",
                    0),
            new AgentStage(conditional(base("rewrite", "review"), "review.decision == \"reject\""), "writer"),
            new ForEachStage(
                    base("fix-each", "rewrite"),
                    "$.review.issues",
                    3,
                    new ForEachStage.ItemTemplate("fix-{{ item.id }}", "writer", null),
                    false),
            new LoopStage(
                    base("refine", "fix-each"),
                    "critique.score >= 8",
                    5,
                    false,
                    List.of(
                            new AgentStage(base("draft"), "writer"),
                            new AgentStage(base("critique", "draft"), "critic-a"))),
            new AgentStage(base("publish", "refine"), "publisher")));

    @TempDir
    Path dir;

    @Test
    void drawsEveryKindInMermaid() {
        assertThat(MermaidWriter.write(PipelineGraph.of(EVERY_KIND))).isEqualTo("""
                flowchart TD
                    s_research["research<br/>agent researcher"]
                    s_draft["draft<br/>agent writer"]
                    s_compensate_draft(["compensate draft<br/>agent writer"])
                    s_review[["review<br/>agents critic-a, critic-b, critic-c<br/>vote on $.verdict"]]
                    s_if_rewrite{"if review.decision == #quot;reject#quot;"}
                    s_rewrite["rewrite<br/>agent writer"]
                    s_fix_each[/"fix-each<br/>for_each over $.review.issues ×3<br/>agent writer"/]
                    subgraph s_refine ["refine<br/>loop until critique.score #gt;= 8<br/>at most 5 iterations"]
                        s_refine_draft["draft<br/>agent writer"]
                        s_refine_critique["critique<br/>agent critic-a"]
                        s_refine_draft --> s_refine_critique
                    end
                    s_publish["publish<br/>agent publisher"]
                    s_research --> s_draft
                    s_draft -.-> s_compensate_draft
                    s_draft --> s_review
                    s_review --> s_if_rewrite
                    s_if_rewrite --> s_rewrite
                    s_rewrite --> s_fix_each
                    s_fix_each --> s_refine
                    s_refine --> s_publish
                """);
    }

    @Test
    void drawsEveryKindInDot() {
        assertThat(DotWriter.write(PipelineGraph.of(EVERY_KIND))).isEqualTo("""
                digraph "every-kind" {
                    compound=true;
                    node [shape=box];
                    "research" [label="research\\nagent researcher"];
                    "draft" [label="draft\\nagent writer"];
                    "compensate draft" [label="compensate draft\\nagent writer", style="rounded,dashed"];
                    "review" [label="review\\nagents critic-a, critic-b, critic-c\\nvote on $.verdict", peripheries=2];
                    "if rewrite" [label="if review.decision == \\"reject\\"", shape=diamond];
                    "rewrite" [label="rewrite\\nagent writer"];
                    "fix-each" [label="fix-each\\nfor_each over $.review.issues ×3\\nagent writer", shape=box3d];
                    subgraph "cluster_refine" {
                        label="refine\\nloop until critique.score >= 8\\nat most 5 iterations";
                        style=rounded;
                        "refine/draft" [label="draft\\nagent writer"];
                        "refine/critique" [label="critique\\nagent critic-a"];
                        "refine/draft" -> "refine/critique";
                    }
                    "publish" [label="publish\\nagent publisher"];
                    "research" -> "draft";
                    "draft" -> "compensate draft" [style=dashed];
                    "draft" -> "review";
                    "review" -> "if rewrite";
                    "if rewrite" -> "rewrite";
                    "rewrite" -> "fix-each";
                    "fix-each" -> "refine/draft" [lhead="cluster_refine"];
                    "refine/critique" -> "publish" [ltail="cluster_refine"];
                }
                """);
    }

    /** A condition may hold every character the notations give a meaning to; none may end a label early. */
    @Test
    void escapesConditionsWithQuotesBracketsAndEntities() {
        String condition = "params.tags[0] == \"a\\\"b\" && size(x) < 3 ? {'k': `v`} : #quot; |end|\nnext";
        Pipeline p = pipeline(List.of(
                new AgentStage(base("end"), "writer"),
                new AgentStage(compensated(conditional(base("o-check", "end"), condition), "writer"), "critic")));

        assertThat(MermaidWriter.write(PipelineGraph.of(p))).isEqualTo("""
                flowchart TD
                    s_end["end<br/>agent writer"]
                    s_if_o_check{"if params.tags[0] == #quot;a\\#quot;b#quot; #amp;#amp; size(x) #lt; 3 ? {'k'#58; #96;v#96;} #58; #35;quot; |end| next"}
                    s_o_check["o-check<br/>agent critic"]
                    s_compensate_o_check(["compensate o-check<br/>agent writer"])
                    s_end --> s_if_o_check
                    s_if_o_check --> s_o_check
                    s_o_check -.-> s_compensate_o_check
                """);
        assertThat(DotWriter.write(PipelineGraph.of(p))).contains("""
                    "if o-check" [label="if params.tags[0] == \\"a\\\\\\"b\\" && size(x) < 3 ? {'k': `v`} : #quot; |end| next", shape=diamond];
                """);
    }

    @Test
    void drawsNestedLoopsQuorumsAndConditionsOnLoops() {
        Pipeline p = pipeline(List.of(
                new MultiAgentStage(base("poll"), List.of("a", "b", "c"), AggregateStrategy.QUORUM, null, 0),
                new LoopStage(
                        conditional(base("outer", "poll"), "poll.decision != \"stop\""),
                        "done",
                        3,
                        true,
                        List.of(
                                new ForEachStage(
                                        base("each"),
                                        "$.items",
                                        0,
                                        new ForEachStage.ItemTemplate(null, "worker", null),
                                        true),
                                new LoopStage(
                                        base("inner", "each"),
                                        "inner.ok",
                                        2,
                                        false,
                                        List.of(new AgentStage(base("try"), "worker")))))));
        PipelineGraph graph = PipelineGraph.of(p);

        assertThat(MermaidWriter.write(graph)).isEqualTo("""
                flowchart TD
                    s_poll[["poll<br/>agents a, b, c<br/>quorum 2 of 3"]]
                    s_if_outer{"if poll.decision != #quot;stop#quot;"}
                    subgraph s_outer ["outer<br/>loop until done<br/>at most 3 iterations, then continue"]
                        s_outer_each[/"each<br/>for_each over $.items<br/>agent worker<br/>continue on error"/]
                        subgraph s_outer_inner ["inner<br/>loop until inner.ok<br/>at most 2 iterations"]
                            s_outer_inner_try["try<br/>agent worker"]
                        end
                        s_outer_each --> s_outer_inner
                    end
                    s_poll --> s_if_outer
                    s_if_outer --> s_outer
                """);
        assertThat(DotWriter.write(graph)).contains("""
                    "poll" -> "if outer";
                    "if outer" -> "outer/each" [lhead="cluster_outer"];
                """).contains("""
                        "outer/each" -> "outer/inner/try" [lhead="cluster_outer/inner"];
                """);
    }

    @Test
    void drawsAnApprovalAsAHexagon() throws Exception {
        Pipeline p = pipeline(List.of(
                new AgentStage(base("build"), "builder"),
                new ApprovalStage(
                        base("gate", "build"),
                        List.of("alice", "bob"),
                        ApprovalStage.Policy.ANY,
                        1,
                        java.time.Duration.ofHours(1),
                        false)));
        String mermaid = MermaidWriter.write(PipelineGraph.of(p));
        assertThat(mermaid).containsPattern("\\{\\{\"?gate.*approval by alice, bob \\(any\\), timeout 1h then reject");
        String dot = DotWriter.write(PipelineGraph.of(p));
        assertThat(dot)
                .contains("approval by alice, bob (any), timeout 1h then reject")
                .contains("shape=hexagon");
        assertThat(StageSummary.describe(p.stages().get(1)))
                .isEqualTo("approval by alice, bob (any), timeout 1h then reject");
        if (onPath("dot")) {
            Path file = dir.resolve("approval.dot");
            Files.writeString(file, dot);
            Process render = new ProcessBuilder("dot", "-Tsvg", file.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(render.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(render.exitValue()).as(output).isZero();
        }
    }

    /** Graphviz itself accepts the DOT, when it is installed; the exact text is asserted above either way. */
    @Test
    void graphvizRendersTheDot() throws Exception {
        assumeTrue(onPath("dot"), "graphviz is not installed");
        for (Pipeline p : List.of(
                EVERY_KIND,
                pipeline(List.of(new AgentStage(conditional(base("x"), "a[\"]\\\" == '}' <b>\n;\\"), "y"))))) {
            Path file = dir.resolve(p.stages().size() + ".dot");
            Files.writeString(file, DotWriter.write(PipelineGraph.of(p)));
            Process dot = new ProcessBuilder("dot", "-Tsvg", file.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(dot.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(dot.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(dot.exitValue()).as(output).isZero();
            assertThat(output).as("no warnings").startsWith("<?xml").doesNotContain("Warning");
        }
    }

    @Test
    void graphCommandDrawsARealFileInBothFormats() {
        Result mermaid = run("graph", "routes/content-review.yaml");
        assertThat(mermaid.exit()).as(mermaid.err()).isZero();
        assertThat(mermaid.out())
                .startsWith("flowchart TD\n    s_research[\"research<br/>agent researcher\"]\n")
                .contains("    s_outline --> s_draft\n    s_fact_check --> s_draft\n");

        Result dot = run("graph", "--format", "dot", "routes/content-review.yaml");
        assertThat(dot.exit()).as(dot.err()).isZero();
        assertThat(dot.out())
                .startsWith("digraph \"content-review\" {\n")
                .contains("    \"fact-check\" [label=\"fact-check\\nagent fact-checker\"];\n")
                .contains("    \"fact-check\" -> \"draft\";\n")
                .endsWith("}\n");
    }

    @Test
    void graphOfAnInvalidFileExitsTwoAndPrintsEveryViolation() throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, """
                apiVersion: baton/v1
                kind: Pipeline
                metadata: {name: broken}
                spec:
                  pipeline:
                    stages:
                      - {name: a, agent: x, dependsOn: [b], timeout: soon}
                      - {name: b, agent: x, dependsOn: [a]}
                """);
        Result bad = run("graph", "--config", dir.toString(), broken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err().lines())
                .containsExactly(
                        broken + ":7:26 stage 'a': agent 'x' is not declared in spec.agents or config/agents.yaml",
                        broken + ":7:41 stage 'a': dependsOn forms a cycle: a -> b -> a",
                        broken + ":7:54 stage 'a': 'timeout' must be a duration like 30s, 5m or 1h, not 'soon'",
                        broken + ":8:26 stage 'b': agent 'x' is not declared in spec.agents or config/agents.yaml");

        Result missing = run("graph", dir.resolve("none.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo(dir.resolve("none.yaml") + ": no such file\n");

        Result format = run("graph", "--format", "svg", "routes/content-review.yaml");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).startsWith("--format 'svg' is unknown; use one of mermaid, dot\n");
    }

    record Result(int exit, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = BatonMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    static StageBase base(String name, String... dependsOn) {
        return StageBase.of(name, List.of(dependsOn), new Location("every-kind.yaml", 1, 1));
    }

    static StageBase conditional(StageBase b, String condition) {
        return new StageBase(
                b.name(),
                b.dependsOn(),
                b.input(),
                b.output(),
                b.timeout(),
                b.retry(),
                b.priority(),
                b.deadline(),
                condition,
                b.compensate(),
                b.location());
    }

    static StageBase compensated(StageBase b, String agent) {
        return new StageBase(
                b.name(),
                b.dependsOn(),
                b.input(),
                b.output(),
                b.timeout(),
                b.retry(),
                b.priority(),
                b.deadline(),
                b.condition(),
                new Compensation(agent, "$." + b.name(), RetryPolicy.NONE, null),
                b.location());
    }

    static Pipeline pipeline(List<Stage> stages) {
        return new Pipeline("baton/v1", "every-kind", null, "every-kind.yaml", "rev", "", Map.of(), Map.of(), stages);
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) return true;
        }
        return false;
    }
}
