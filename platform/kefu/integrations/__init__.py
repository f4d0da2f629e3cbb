"""Integration pages (对接页面): enterprise pages shown as tabs beside the agent's chat."""
