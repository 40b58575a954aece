"""Fixed credentials the sandbox stand-ins accept. They guard nothing real: they exist so the connectors
run their real authentication code against the sandbox exactly as they would against Workday and Tableau."""

from __future__ import annotations

WORKDAY_TENANT = "campus"
WORKDAY_CLIENT_ID = "campus-sandbox-client"
WORKDAY_CLIENT_SECRET = "sandbox-client-secret"
WORKDAY_REFRESH_TOKEN = "sandbox-refresh-token"

TABLEAU_API_VERSION = "3.22"
TABLEAU_PAT_NAME = "campus-sandbox"
TABLEAU_PAT_SECRET = "sandbox-pat-secret"
TABLEAU_SITE_CONTENT_URL = "campus"
