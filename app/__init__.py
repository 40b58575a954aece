"""The Streamlit app advisers, career services and leadership use: search, profiles, quality, runs, files."""
