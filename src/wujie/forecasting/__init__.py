"""The forecasting package."""
