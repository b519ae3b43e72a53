-- Token usage an agent reports with its replies (issue 5, the llm kind): {"promptTokens", "completionTokens",
-- "totalTokens"} summed over every accepted reply of the ticket, so retried attempts count too. NULL: none reported.
ALTER TABLE ticket ADD COLUMN token_usage TEXT;
