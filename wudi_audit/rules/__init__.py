"""Rule packs: the rules' parameters as TOML (`default.toml`), the clause quoted beside each."""
