"""An example govsim plugin: a routing rule and a queue discipline, found by entry points."""
