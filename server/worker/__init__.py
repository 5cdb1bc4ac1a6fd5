"""The worker: takes run jobs from the queue and executes them with the engine."""
