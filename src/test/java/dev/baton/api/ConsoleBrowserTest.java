package dev.baton.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.BatonServer;
import dev.baton.TestBaton;
import dev.baton.config.BatonSettings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium (Debian's, driven by its chromium-driver) against a real Baton: sign-in,
 * live runs list, a graph node changing colour, an approval decided in the page, a viewer's refused decision, a failed
 * file in routes/, the open mode's banner. One Baton and one browser serve the whole class; each test writes a
 * screenshot of its page under target/console-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    static final Path SHOTS = Path.of("target/console-screenshots");
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path root;

    static TestBaton baton;
    static WebDriver browser;

    static final String GATED = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: gated, description: "Book, wait for alice, ship"}
            spec:
              pipeline:
                stages:
                  - {name: book, agent: booker, output: "$.booking"}
                  - name: gate
                    dependsOn: [book]
                    approval: {approvers: [alice], policy: any}
                  - {name: ship, dependsOn: [gate], agent: booker, input: "$.booking"}
            """;

    static final String QUICK = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: quick, description: "Research, then draft and check side by side, then publish"}
            spec:
              params:
                topic: {required: true}
              schedule: {cron: "0 0 9 * * ?", params: {topic: daily digest}}
              pipeline:
                stages:
                  - {name: research, agent: booker, input: "$.params.topic", output: "$.research"}
                  - {name: draft, dependsOn: [research], agent: booker, output: "$.draft"}
                  - {name: check, dependsOn: [research], agent: booker, output: "$.check"}
                  - {name: publish, dependsOn: [draft, check], agent: booker}
            """;

    /** More tickets in one stage than the run page shows at first: the rest come a page at a time. */
    static final String MANY = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: many}
            spec:
              params:
                items: {required: true}
              pipeline:
                stages:
                  - name: each
                    dynamic:
                      generator: for_each
                      input: "$.params.items"
                      maxParallel: 50
                      template: {name: "item-{{ index }}", agent: booker}
            """;

    /** Line 9 names an aggregate strategy that does not exist: the file must not load, and say where. */
    static final String BROKEN = """
            apiVersion: baton/v1
            kind: Pipeline
            metadata: {name: broken}
            spec:
              pipeline:
                stages:
                  - name: review
                    agents: [booker, booker2]
                    aggregateStrategy: votes
            """;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(SHOTS);
        baton = TestBaton.start(
                root.resolve("secured"),
                """
                agents:
                  booker: {kind: demo, output: {booked: "{{ stage }}"}}
                  booker2: {kind: demo}
                """,
                Map.of("gated.yaml", GATED, "quick.yaml", QUICK, "broken.yaml", BROKEN, "many.yaml", MANY));
        browser = chromium();
    }

    /** Debian's chromium through /usr/bin/chromedriver; Selenium Manager is skipped since the driver is given. */
    static WebDriver chromium() {
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1400,1000",
                "--user-data-dir=" + root.resolve("chromium-profile").toAbsolutePath());
        WebDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30)).pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (baton != null) baton.close();
    }

    private static WebDriverWait waiting() {
        // The pages re-render on every event: an element found a moment ago may be gone, so look again.
        return (WebDriverWait) new WebDriverWait(browser, WAIT, Duration.ofMillis(100))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.ElementNotInteractableException.class);
    }

    private static WebElement shown(By by) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Marks the page; the mark is gone after a reload, so a test can prove something happened without one. */
    private static void mark() {
        js("window.__sameDocument = true;");
    }

    private static void assertNotReloaded() {
        assertThat(js("return window.__sameDocument === true;"))
                .as("the page was not reloaded")
                .isEqualTo(true);
    }

    private static void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Types into a field of a page that may re-render meanwhile (what was typed is kept across renders). */
    private static void type(By field, String text) {
        waiting().until(d -> {
            WebElement e = d.findElement(field);
            e.clear();
            e.sendKeys(text);
            return text.equals(d.findElement(field).getAttribute("value"));
        });
    }

    private static void signIn(String user, String password) {
        browser.get("http://127.0.0.1:" + baton.port + "/");
        shown(By.id("signin-form"));
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("signin-button")).click();
        waiting()
                .until(ExpectedConditions.textToBe(
                        By.id("who"), user + " (" + (user.equals("ops") ? "admin" : "viewer") + ")"));
    }

    private static void signInWithKey(String identity) {
        browser.get("http://127.0.0.1:" + baton.port + "/");
        shown(By.id("signin-form"));
        browser.findElement(By.cssSelector("input[name=method][value=key]")).click();
        browser.findElement(By.id("apikey")).sendKeys(dev.baton.TestSecurity.apiKey(identity));
        browser.findElement(By.id("signin-button")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), identity));
    }

    private static String nodeStatus(String stage) {
        return waiting()
                .until(d -> d.findElement(By.cssSelector("#run-graph g[data-stage='" + stage + "']"))
                        .getAttribute("data-status"));
    }

    private static String nodeFill(String stage) {
        return waiting()
                .until(d -> d.findElement(By.cssSelector("#run-graph g[data-stage='" + stage + "'] rect"))
                        .getCssValue("fill"));
    }

    /** Clicks on a page that may re-render meanwhile: finds the element again until the click lands. */
    private static void click(By by) {
        waiting().until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    private static void awaitNode(String stage, String status) {
        waiting().until(d -> {
            try {
                return status.equals(nodeStatus(stage));
            } catch (org.openqa.selenium.StaleElementReferenceException
                    | org.openqa.selenium.NoSuchElementException e) {
                return false; // the page re-rendered under us
            }
        });
    }

    @Test
    @Order(1)
    void signedInTheRunsListShowsANewRunAndItsSuccessWithoutAReload() throws Exception {
        browser.get("http://127.0.0.1:" + baton.port + "/");
        shown(By.id("signin-form"));
        assertThat(browser.getCurrentUrl()).as("GET / leads to the console").endsWith("/console/");
        browser.findElement(By.id("user")).sendKeys("ops");
        browser.findElement(By.id("password")).sendKeys("wrong");
        browser.findElement(By.id("signin-button")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("signin-error"), "Unknown user, password or key."));
        browser.findElement(By.id("password")).clear();
        signIn("ops", "ops-password");
        assertThat(browser.getCurrentUrl()).as("no credentials in the URL").doesNotContain("ops-password");
        assertThat(js("return JSON.stringify(sessionStorage) + JSON.stringify(localStorage);")
                        .toString())
                .as("nothing stored")
                .doesNotContain("ops");
        shown(By.id("runs-body"));
        waiting().until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
        mark();

        String id = baton.startRun("quick", "{\"topic\": \"browsers\"}");
        By row = By.cssSelector("#runs-body tr[data-run='" + id + "']");
        shown(row);
        waiting()
                .until(d -> "SUCCEEDED"
                        .equals(d.findElement(row)
                                .findElement(By.className("badge"))
                                .getText()));
        assertNotReloaded();
        screenshot("runs");

        // Text in the params, over REST and in the page's filter.
        assertThat(baton.get("/api/runs?q=BROWSERS").body().path("items").findValuesAsText("id"))
                .containsExactly(id);
        assertThat(baton.get("/api/runs?q=no-such-text").body().path("items")).isEmpty();
        assertThat(baton.get("/api/runs?q=" + "x".repeat(201)).status()).isEqualTo(400);
        String second = baton.startRun("quick", "{\"topic\": \"paging\"}");
        JsonNode first = baton.get("/api/runs?q=topic&limit=1").body();
        assertThat(first.path("items").findValuesAsText("id")).containsExactly(second);
        String next = first.path("next").asText();
        assertThat(baton.get("/api/runs?q=topic&limit=1&cursor=" + next)
                        .body()
                        .path("items")
                        .findValuesAsText("id"))
                .as("the cursor keeps the text filter")
                .containsExactly(id);
        assertThat(baton.get("/api/runs?q=other&limit=1&cursor=" + next).status())
                .as("another q")
                .isEqualTo(400);
        assertThat(baton.get("/api/runs?limit=1&cursor=" + next).status())
                .as("no q")
                .isEqualTo(400);
        type(By.name("q"), "no-such-text");
        click(By.cssSelector("#run-filters button[type=submit]"));
        waiting().until(ExpectedConditions.textToBe(By.id("runs-body"), "No runs."));
        type(By.name("q"), "rowsers");
        click(By.cssSelector("#run-filters button[type=submit]"));
        shown(row);

        click(By.cssSelector("#runs-body tr[data-run='" + id + "'] a"));
        awaitNode("publish", "SUCCEEDED");
        screenshot("run-succeeded");

        // 150 tickets in one stage: the page shows the first 100, then the next page on request.
        String many = baton.startRun("many", "{\"items\": [" + "1,".repeat(149) + "1]}");
        assertThat(baton.awaitRun(many, Duration.ofMinutes(3)).path("status").asText())
                .isEqualTo("SUCCEEDED");
        browser.get("http://127.0.0.1:" + baton.port + "/console/#/runs/" + many);
        By more = By.cssSelector("button[data-more='each']");
        waiting().until(ExpectedConditions.textToBe(more, "Show more tickets (100 of 150)"));
        assertThat(js("return document.querySelectorAll('tr.tickets table.inner tbody tr').length"))
                .isEqualTo(100L);
        click(more);
        waiting()
                .until(d -> Long.valueOf(150)
                        .equals(js("return document.querySelectorAll('tr.tickets table.inner tbody tr').length")));
        assertThat(browser.findElements(more)).as("every ticket is shown").isEmpty();
    }

    @Test
    @Order(2)
    void anApproverWatchesTheGateTurnFromWaitingToSucceededAndTheRunGoOn() throws Exception {
        click(By.id("signout"));
        signInWithKey("alice");
        String id = baton.startRun("gated", "{}");

        browser.get("http://127.0.0.1:" + baton.port + "/console/#/approvals");
        signInWithKeyIfAsked("alice");
        shown(By.cssSelector("table.approvals tr[data-run='" + id + "'][data-stage='gate']"));
        screenshot("approvals");

        click(By.cssSelector("table.approvals tr[data-run='" + id + "'] a"));
        awaitNode("gate", "WAITING_APPROVAL");
        String waitingFill = nodeFill("gate");
        assertThat(nodeStatus("ship")).isIn("PENDING", "WAITING_DEPS");
        mark();
        type(By.cssSelector("input[data-comment='gate']"), "ship it");
        screenshot("run-waiting");
        click(By.cssSelector("button[data-approve='gate']"));

        awaitNode("gate", "SUCCEEDED");
        assertThat(nodeFill("gate")).as("the node changed colour").isNotEqualTo(waitingFill);
        awaitNode("ship", "SUCCEEDED");
        waiting()
                .until(d -> "SUCCEEDED"
                        .equals(d.findElement(By.cssSelector("h1 .badge")).getText()));
        assertNotReloaded();
        screenshot("run");

        List<String> decisions = baton.get("/api/runs/" + id + "/history").body().findValues("status").stream()
                .map(JsonNode::asText)
                .toList();
        assertThat(decisions).contains("APPROVED");
        JsonNode approved = null;
        for (JsonNode h : baton.get("/api/runs/" + id + "/history").body()) {
            if (h.path("status").asText().equals("APPROVED")) approved = h;
        }
        assertThat(approved.path("actor").asText())
                .as("decided as the signed-in person")
                .isEqualTo("alice");
        assertThat(approved.path("detail").asText()).isEqualTo("ship it");
    }

    /** The approvals page reloads the console, which keeps credentials only in memory: sign in again if asked. */
    private static void signInWithKeyIfAsked(String identity) {
        waiting()
                .until(d -> d.findElement(By.id("signin")).isDisplayed()
                        || d.findElement(By.id("nav")).isDisplayed());
        if (browser.findElement(By.id("signin")).isDisplayed()) {
            browser.findElement(By.cssSelector("input[name=method][value=key]")).click();
            browser.findElement(By.id("apikey")).sendKeys(dev.baton.TestSecurity.apiKey(identity));
            browser.findElement(By.id("signin-button")).click();
            waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), identity));
        }
    }

    @Test
    @Order(3)
    void aViewerGetsNoDecisionButtonsAndAForgedDecisionIsRefused() throws Exception {
        browser.get("http://127.0.0.1:" + baton.port + "/console/");
        signIn("reader", "reader-password");
        String id = baton.startRun("gated", "{}");
        browser.get("http://127.0.0.1:" + baton.port + "/console/#/runs/" + id);
        signInAgainAsReader();
        awaitNode("gate", "WAITING_APPROVAL");
        assertThat(browser.findElements(By.cssSelector("button[data-approve]")))
                .as("no approve button")
                .isEmpty();
        assertThat(browser.findElements(By.id("cancel"))).as("no cancel button").isEmpty();

        // The page's own API call with the viewer's credentials, as a forged click would send it.
        Object status = ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                api('/api/runs/' + arguments[0] + '/approvals/gate', {method: 'POST', body: {decision: 'approve'}})
                  .then(() => done(200), (e) => done(e.status));
                """, id);
        assertThat(((Number) status).intValue())
                .as("a viewer's decision is refused")
                .isEqualTo(403);
        assertThat(baton.get("/api/runs/" + id).body().path("stages").findValues("status").stream()
                        .map(JsonNode::asText)
                        .toList())
                .contains("WAITING_APPROVAL");
        screenshot("run-viewer");
        baton.post("/api/runs/" + id + "/cancel", "{}");
    }

    private static void signInAgainAsReader() {
        waiting()
                .until(d -> d.findElement(By.id("signin")).isDisplayed()
                        || d.findElement(By.id("nav")).isDisplayed());
        if (browser.findElement(By.id("signin")).isDisplayed()) {
            browser.findElement(By.id("user")).sendKeys("reader");
            browser.findElement(By.id("password")).sendKeys("reader-password");
            browser.findElement(By.id("signin-button")).click();
            waiting().until(ExpectedConditions.textToBe(By.id("who"), "reader (viewer)"));
        }
    }

    @Test
    @Order(4)
    void thePipelinesPageShowsTheFailedFileWithItsPositionAndAGraph() throws Exception {
        js("location.hash = '#/pipelines';");
        WebElement invalid = shown(By.cssSelector("#invalid-files li[data-file]"));
        assertThat(invalid.getText())
                .contains("broken.yaml")
                .containsPattern("broken\\.yaml:9:28 stage 'review'")
                .contains("'aggregateStrategy' must be one of all, any, first, merge, vote, quorum, not 'votes'");
        shown(By.cssSelector("tr[data-pipeline='quick']"));
        screenshot("pipelines");

        js("location.hash = '#/pipelines/quick';");
        shown(By.cssSelector("#pipeline-graph g[data-stage='publish']"));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("0 0 9 * * ?", "next fire time");
        screenshot("pipeline");
    }

    /** The booker agent as GET /api/agents shows it (a missing node when it is not listed). */
    private static com.fasterxml.jackson.databind.JsonNode booker() throws Exception {
        com.fasterxml.jackson.databind.JsonNode all = baton.get("/api/agents").body();
        for (com.fasterxml.jackson.databind.JsonNode a : all.isArray() ? all : all.path("items")) {
            if (a.path("name").asText().equals("booker")) {
                return a;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    @Order(5)
    void theAgentsPageShowsTheRegistryAndTheDeadLetters() throws Exception {
        // A reply that is not JSON is parked on baton.DLQ with its reason.
        try (jakarta.jms.Connection c = baton.brokerConnections().createConnection()) {
            jakarta.jms.Session session = c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            jakarta.jms.TextMessage m = session.createTextMessage("{not json");
            m.setJMSCorrelationID("console-dead-letter");
            session.createProducer(session.createQueue("baton.results")).send(m);
        }
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(() -> baton.get("/api/dead-letters").body().path("items").size() > 0);
        // The page shows what the registry knows: wait for the demo agent's first heartbeat to be applied.
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(() -> booker().path("health").asText().equals("UP"));
        js("location.hash = '#/agents';");
        WebElement row = shown(By.cssSelector("tr[data-agent='booker']"));
        assertThat(row.getText()).contains("demo", "UP");
        WebElement dead = shown(By.cssSelector("#dead-letters tr[data-correlation='console-dead-letter']"));
        assertThat(dead.getText()).contains("baton.results", "reply is not JSON");
        screenshot("agents");
    }

    @Test
    @Order(6)
    void theOpenDemoNeedsNoSignInAndSaysItIsOpen() throws Exception {
        // Two embedded brokers in one JVM would share the in-VM acceptor id 0: the secured Baton goes first.
        baton.close();
        baton = null;
        Path open = root.resolve("open");
        Files.createDirectories(open.resolve("routes"));
        Files.createDirectories(open.resolve("config"));
        Files.writeString(open.resolve("config/agents.yaml"), "default: {kind: demo}\n");
        Files.writeString(open.resolve("routes/quick.yaml"), QUICK);
        int port = TestBaton.freePort();
        var settings = BatonSettings.load(new BatonSettings.Overrides(
                        open.resolve("routes"),
                        open.resolve("config"),
                        open.resolve("data"),
                        port,
                        TestBaton.freePort()))
                .withOpenApi();
        try (BatonServer server = BatonServer.start(settings)) {
            browser.get("http://127.0.0.1:" + port + "/");
            WebElement banner = shown(By.id("banner"));
            assertThat(banner.getText()).contains("Open mode");
            shown(By.id("runs-body"));
            waiting().until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
            assertThat(browser.findElement(By.id("signin")).isDisplayed()).isFalse();
            assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("open mode");
            screenshot("open-mode");
        }
    }
}
