"""`make bench`: directory benchmarks against seeded databases (see bench/README.md)."""
