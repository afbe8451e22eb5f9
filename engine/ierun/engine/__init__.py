"""The engine: compiles the IR into a Plan (regex emission, triggers, the Hyperscan gate) and runs a Plan over
documents (matching, overlap resolution, field values) to give facts."""
