"""Streamlit glue: widgets generated from declarations, and cached computations."""
