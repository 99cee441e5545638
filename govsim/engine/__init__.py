"""The engine: the model, its clock and random streams, and the incident lifecycle."""
