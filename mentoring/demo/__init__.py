"""Demo data for `make run`, manual testing and benchmarks: the seeder and its vocabulary (top
layer: it writes every app's rows)."""
