"""Demo content: KubeCon NA 2020 by hand, KubeCon EU 2026 from shared data,
the event generator and the benchmark's event."""
