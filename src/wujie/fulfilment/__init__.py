"""The fulfilment package."""
