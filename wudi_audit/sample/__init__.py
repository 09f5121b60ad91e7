"""`wudi-audit sample`: realistic batches with planted problems, for demos and tests."""
