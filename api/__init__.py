"""The search and recommendation API for other systems (decision 016): FastAPI on uvicorn, bearer tokens
from the identity provider, answers from the published snapshot held in memory.

A top-level package beside `app/`, not inside it: it serves other systems, not people in a browser, and
imports nothing of Streamlit; it shares the app's Streamlit-free modules (access, privacy, audit, data).
Settings: see `api.settings`. Started by `campus api` / `make api`.
"""
