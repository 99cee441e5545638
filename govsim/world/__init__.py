"""The world a run simulates: the scenario schema and the networked grid map."""
