"""Demo data for `make run`, manual testing and benchmarks (top layer: it writes every app's rows):
`bulk` writes thousands of realistic mentors and mentees with COPY, `showcase` the demo accounts'
hand-made profiles, requests and pair, and `vocabulary` the words both draw on."""
