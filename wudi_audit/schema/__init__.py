"""The input tables the tool reads (claims, attendance, each reference list, the
ledger's history): their fields, accepted headers and what each input is called."""
