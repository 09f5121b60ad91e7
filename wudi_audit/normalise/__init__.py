"""Raw tables to typed fields, and every input of a batch loaded once."""
