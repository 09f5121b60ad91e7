"""The ledger (历史台账): what was already paid, so that repeats and yearly caps are judged
across batches. `layout` says where files live and what is in them, `lock` keeps writers
apart, `history` reads what a batch needs, `record` writes an accepted batch."""
