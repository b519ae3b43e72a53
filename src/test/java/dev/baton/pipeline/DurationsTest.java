package dev.baton.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The duration form pipelines use. */
class DurationsTest {
    @ParameterizedTest
    @CsvSource({
        "200ms, PT0.2S",
        "30s, PT30S",
        "5m, PT5M",
        "1h, PT1H",
        "2d, PT48H",
        "1m30s, PT1M30S",
        "1h30m, PT1H30M",
        "1d2h3m4s5ms, PT26H3M4.005S",
        "0s, PT0S",
        "90s, PT1M30S",
        "PT5M, PT5M",
        "pt10s, PT10S",
        "P1DT2H, PT26H",
    })
    void parsesShortFormsAndIso(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", " ", "abc", "5", "5 m", "1.5s", "30s1m", "5M", "1m1m", "-5s", "PT-5M", "ms", "5mss", "P"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void explainsWhatIsAccepted() {
        assertThatThrownBy(() -> Durations.parse("soon"))
                .hasMessage("'soon' is not a duration; use e.g. 200ms, 30s, 5m, 1h, 2d, 1m30s or PT5M");
        assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("99999999999999999999d")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"PT0.2S, 200ms", "PT1M30S, 1m30s", "PT0S, 0s", "PT48H, 2d", "PT26H3M4.005S, 1d2h3m4s5ms", "PT1H, 1h"})
    void formatsTheShortForm(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    }

    @Test
    void formatIsTheInverseOfParse() {
        for (Duration d : new Duration[] {
            Duration.ofMillis(1), Duration.ofDays(400).plusMillis(999), Duration.ofNanos(1500), Duration.ofSeconds(59)
        }) {
            assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
        }
        assertThatThrownBy(() -> Durations.format(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
