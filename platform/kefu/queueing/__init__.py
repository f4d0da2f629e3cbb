"""The queue (排队): limits, estimated wait, the max-wait prompt and abandonment."""
