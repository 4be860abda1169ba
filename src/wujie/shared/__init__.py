"""The shared kernel: ids, money, clock, errors, events and the message bus."""
