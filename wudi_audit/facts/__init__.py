"""Domain facts several steps use: identity numbers, credit codes, the retirement
schedule, text folding, masking of personal data."""
