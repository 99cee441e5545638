"""The record of a run: the ledger of events and the outcomes computed from it."""
