package dev.baton.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the one strict reader refuses, with what its message names; and what it keeps exactly as a lenient one. */
class StrictJsonTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"n\":1} {\"n\":2}                 | Trailing token (of type START_OBJECT) found after value",
                "{\"n\":1}]                          | Unexpected close marker ']': no open Array to close at line 1, column 8",
                "42 is the answer                    | Unrecognized token 'is'",
                "{\"n\":1,\"n\":2}                   | Duplicate field 'n' at line 1, column 11",
                "{\"a\":{\"n\":1,\"n\":1}}           | Duplicate field 'n' at line 1, column 16",
                "{\"n\":1e400}                       | number 1E+400 at /n is outside the range of a double",
                "{\"n\":-1e400}                      | number -1E+400 at /n is outside the range of a double",
                "{\"n\":[0, 1e-400]}                 | number 1E-400 at /n/1 is outside the range of a double",
                "{\"n\":NaN}                         | Non-standard token 'NaN'",
                "{\"s\":\"\\ud800\"}                 | the string at /s has a lone UTF-16 surrogate",
                "{\"s\":\"\\udc00x\"}                | the string at /s has a lone UTF-16 surrogate",
                "{\"\\ud800\":1}                     | has a lone UTF-16 surrogate",
                "''                                  | no value"
            })
    void refuses(String text, String message) {
        assertThatThrownBy(() -> StrictJson.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"n\":1.5}                          | {\"n\":1.5}",
                "{\"n\":1e2}                          | {\"n\":100.0}",
                "{\"n\":0.0}                          | {\"n\":0.0}",
                "{\"n\":1.7976931348623157e308}       | {\"n\":1.7976931348623157E308}",
                "{\"n\":4.9e-324}                     | {\"n\":4.9E-324}",
                "{\"n\":123456789012345678901234567890} | {\"n\":123456789012345678901234567890}",
                "{\"s\":\"\\ud83d\\ude00\"}           | {\"s\":\"\ud83d\ude00\"}",
                "[1, 2.5, {\"a\": [true, null, 1e1]}, \"x\"] | [1,2.5,{\"a\":[true,null,10.0]},\"x\"]"
            })
    void keepsWhatIsValid(String text, String written) {
        assertThat(Json.write(StrictJson.parse(text))).isEqualTo(written);
    }

    @org.junit.jupiter.api.Test
    void aProblemDeepInListsIsNamedByItsPlace() {
        assertThatThrownBy(() -> StrictJson.parse("{\"a\": [1, 2, {\"b\": [0, {\"\\udc00\": 1}]}, 1e999]}"))
                .hasMessageContaining("the key at /a/2/b/1/\udc00 has a lone UTF-16 surrogate")
                .hasMessageContaining("number 1E+999 at /a/3 is outside the range of a double");
    }

    @org.junit.jupiter.api.Test
    void anIntegerBeyondTheRangeOfADoubleIsRefused() {
        assertThatThrownBy(() -> StrictJson.parse("{\"n\": " + "9".repeat(400) + "}"))
                .hasMessageContaining("number 400-digit integer at /n is outside the range of a double");
    }
}
