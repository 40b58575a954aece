"""One module per page; `app/streamlit_app.py` lists them in `st.navigation` (not `pages/`: that name
would switch on Streamlit's older folder-based navigation)."""
