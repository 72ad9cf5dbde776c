"""The Streamlit app (a thin front end over catalog/)."""
