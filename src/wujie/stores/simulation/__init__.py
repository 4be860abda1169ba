"""The store twin: shoppers walk a layout, sensors observe them with noise, the ground truth is kept."""
