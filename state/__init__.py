"""App state and its share-link codec (no Streamlit imports here)."""
